//! Typo checker: each kind of check fires on real errors and stays silent on look-alike
//! correct text; check-text reads files and returns the documented exit codes.

use std::process::Command;
use std::sync::OnceLock;

use govaudit::rules::Severity;
use govaudit::typo::{TypoChecker, TypoHit, TypoKind};

fn checker() -> &'static TypoChecker {
    static C: OnceLock<TypoChecker> = OnceLock::new();
    C.get_or_init(TypoChecker::builtin)
}

fn hits(text: &str) -> Vec<TypoHit> {
    checker().check(text, &[])
}

fn find<'a>(hits: &'a [TypoHit], wrong: &str) -> Option<&'a TypoHit> {
    hits.iter().find(|h| h.wrong == wrong)
}

fn severe(hits: &[TypoHit]) -> Vec<&TypoHit> {
    hits.iter()
        .filter(|h| matches!(h.severity, Severity::Veto | Severity::Deduct))
        .collect()
}

// ---------- known misspellings ----------

#[test]
fn dictionary_typo_deducts_with_evidence() {
    let text = "各级人名政府要贯切落实本条例。";
    let h = hits(text);
    let x = find(&h, "人名政府").expect("人名政府 flagged");
    assert_eq!(x.suggest, "人民政府");
    assert_eq!(x.kind, TypoKind::Dictionary);
    assert_eq!(x.severity, Severity::Deduct);
    assert_eq!(&text[x.start..x.end], "人名政府");
    assert!(x.context.contains("各级人名政府要贯切"), "{}", x.context);
    assert!(x.confidence > 0.9);
    assert_eq!(find(&h, "贯切落实").unwrap().suggest, "贯彻落实");
}

#[test]
fn added_pairs_fire_and_guard_two_char_forms() {
    let h = hits("要牢记使明，做好疫情防空工作，认真布署落实。");
    for (w, r) in [
        ("牢记使明", "牢记使命"),
        ("疫情防空", "疫情防控"),
        ("布署", "部署"),
    ] {
        let x = find(&h, w).unwrap_or_else(|| panic!("{w}: {h:?}"));
        assert_eq!(x.suggest, r);
        assert_eq!(x.severity, Severity::Deduct);
    }
    // 截止目前 is a usage slip: warn only.
    let h = hits("截止目前，已完成80%。");
    assert_eq!(find(&h, "截止目前").unwrap().severity, Severity::Warn);
    // 布署 across a word boundary (公布|署名) is silent; 截止 alone is silent.
    for ok in ["公布署名文章。", "申报截止日期为5月1日。", "人民防空工作。"]
    {
        assert!(hits(ok).is_empty(), "{ok}: {:?}", hits(ok));
    }
}

#[test]
fn variant_form_only_warns() {
    let h = hits("编辑部要大力宏扬优良传统。");
    let x = find(&h, "宏扬").expect("宏扬 flagged");
    assert_eq!(x.suggest, "弘扬");
    assert_eq!(x.severity, Severity::Warn);
}

#[test]
fn two_char_form_straddling_words_is_silent() {
    // 发展转型 contains 展转, 个人材料 contains 人材, 每股分红 contains 股分.
    for ok in [
        "推动发展转型升级。",
        "提交个人材料一份。",
        "公司每股分红0.3元。",
        "大力弘扬优良传统。",
    ] {
        assert!(hits(ok).is_empty(), "{ok}: {:?}", hits(ok));
    }
}

#[test]
fn allow_lists_silence_a_hit() {
    let text = "各级人名政府要认真落实。";
    let allow = vec!["人名政府".to_string()];
    assert!(checker().check(text, &allow).is_empty());
    // An allowed longer term covering the hit silences it too.
    let allow = vec!["各级人名政府".to_string()];
    assert!(checker().check(text, &allow).is_empty());
    // An unrelated allowed term does not.
    let allow = vec!["高碑店".to_string()];
    assert_eq!(checker().check(text, &allow).len(), 1);
    // The district-wide list is exposed for the report.
    let _listed: &[String] = checker().district_allow();
}

// ---------- serious errors ----------

#[test]
fn misspelt_state_and_law_names_veto() {
    let h = hits("依据《中华人民共和国政府信息公开条列》第十条。");
    let x = h
        .iter()
        .find(|h| h.kind == TypoKind::Serious)
        .expect("law title flagged");
    assert_eq!(x.severity, Severity::Veto);
    assert!(x.suggest.ends_with("政府信息公开条例"), "{}", x.suggest);

    let h = hits("中化人民共和国成立七十周年。");
    let x = find(&h, "中化人民共和国").expect("state name flagged");
    assert_eq!(x.suggest, "中华人民共和国");
    assert_eq!(x.severity, Severity::Veto);

    let h = hits("报请国物院批准后实施。");
    let x = h
        .iter()
        .find(|h| h.kind == TypoKind::Serious)
        .expect("国物院");
    assert_eq!(x.suggest, "国务院");

    let h = hits("丁薛详同志出席会议。");
    let x = h
        .iter()
        .find(|h| h.kind == TypoKind::Serious)
        .expect("丁薛详同志");
    assert_eq!(x.suggest, "丁薛祥同志");

    let h = hits("深入学习贯彻习进平总书记重要讲话精神。");
    let x = h
        .iter()
        .find(|h| h.kind == TypoKind::Serious)
        .expect("leader");
    assert!(x.wrong.starts_with("习进平"), "{}", x.wrong);
    assert_eq!(x.severity, Severity::Veto);
}

#[test]
fn correct_names_next_to_titles_are_silent() {
    for ok in [
        "深入学习贯彻习近平总书记重要讲话精神。",
        "习近平主席出席会议并发表讲话。",
        "国务院总理李强主持召开国务院常务会议。",
        "全国人民代表大会常务委员会关于修改《中华人民共和国民办教育促进法》的决定",
        "根据《中华人民共和国政府信息公开条例》和《政府信息公开条例》规定。",
        "中共中央办公厅、国务院办公厅印发通知。",
        "最高人民法院、最高人民检察院联合发布。",
        // Look-alike sequences across word boundaries.
        "认真学习近年来出台的政策。",
        "审计属于事后监督。",
        // A local official whose name is one character off a leader's is not a veto.
        "副局长丁雪祥主持会议，刘少琦参加。",
    ] {
        let hs = hits(ok);
        let s = severe(&hs);
        assert!(s.is_empty(), "{ok}: {s:?}");
    }
}

// ---------- confusion-based detection ----------

#[test]
fn confusion_flags_non_words_with_suggestion() {
    let h = hits("内蒙古自治区乌兰察布市大力培育发展大数局产业。");
    let x = h
        .iter()
        .find(|h| h.kind == TypoKind::Confusion)
        .expect("大数局 flagged");
    assert_eq!(x.wrong, "大数局");
    assert_eq!(x.suggest, "大数据");
    assert!(x.confidence > 0.0 && x.confidence <= 1.0);
}

#[test]
fn confident_confusions_deduct() {
    for (bad, wrong, right) in [
        (
            "交通运舒部、国家发展改革委按职责分工负责",
            "交通运舒",
            "交通运输",
        ),
        ("健全依法刑政制度体系。", "依法刑政", "依法行政"),
        (
            "国家自然科学奖分为一等奖、二登奖2个等级。",
            "二登奖",
            "二等奖",
        ),
    ] {
        let h = hits(bad);
        let x = find(&h, wrong).unwrap_or_else(|| panic!("{bad}: {h:?}"));
        assert_eq!(x.suggest, right);
        assert_eq!(x.kind, TypoKind::Confusion);
        assert_eq!(x.severity, Severity::Deduct, "{x:?}");
        assert!(x.confidence >= 0.9, "{x:?}");
    }
    // The weaker 大数局 → 大数据 is only a warning.
    let h = hits("大力培育发展大数局产业。");
    assert_eq!(find(&h, "大数局").unwrap().severity, Severity::Warn);
}

#[test]
fn confusion_is_silent_on_clean_government_text() {
    for ok in [
        "完善农产品上行发展机制。",
        "提高粮食和重要农产品供给保障能力。",
        "各级政务服务平台原则上统一依托国家电子政务外网构建。",
        "高碑店市人民政府：",
        "交通运输部、国家发展改革委按职责分工负责。",
        "健全依法行政制度体系。",
        "国家自然科学奖分为一等奖、二等奖2个等级。",
        "授予郑静晨同志一等功。",
    ] {
        let hs = hits(ok);
        let s = severe(&hs);
        assert!(s.is_empty(), "{ok}: {s:?}");
    }
}

// ---------- wording ----------

#[test]
fn doubled_function_words_warn() {
    let h = hits("这是我们的的工作，要把把握好方向。");
    let x = find(&h, "的的").expect("的的 flagged");
    assert_eq!(x.kind, TypoKind::Wording);
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.suggest, "的");
}

#[test]
fn legitimate_reduplication_is_silent() {
    for ok in [
        "谢谢大家，我们常常说人人都要天天看看。",
        "这件事不了了之，一了百了。",
        "他的的确确做到了，实实在在。",
        "完成了了解情况的任务。",
        "这是目的的一部分。",
        "明辨是是非非。",
    ] {
        let w: Vec<_> = hits(ok)
            .into_iter()
            .filter(|h| h.kind == TypoKind::Wording)
            .collect();
        assert!(w.is_empty(), "{ok}: {w:?}");
    }
}

#[test]
fn unbalanced_brackets_warn_balanced_are_silent() {
    let h = hits("根据《政府信息公开条例规定，（一）公开“目录。");
    let wrongs: Vec<&str> = h
        .iter()
        .filter(|h| h.kind == TypoKind::Wording)
        .map(|h| h.wrong.as_str())
        .collect();
    assert!(wrongs.contains(&"《"), "{wrongs:?}");
    assert!(wrongs.contains(&"“"), "{wrongs:?}");
    assert!(!wrongs.contains(&"（"), "{wrongs:?}");
    let h = hits("多余的右括号）在这里。");
    assert!(find(&h, "）").is_some());
    for ok in [
        "根据《条例》（2019年修订）“第一条”(试行)的规定。",
        "“第一段引文\n“第二段引文。”",
        "全角开半角闭（试行)也算配对。",
        "工作要求：1）加强领导；2）明确责任；三）抓好落实。\na) 第一项 b) 第二项",
    ] {
        let w: Vec<_> = hits(ok)
            .into_iter()
            .filter(|h| h.kind == TypoKind::Wording)
            .collect();
        assert!(w.is_empty(), "{ok}: {w:?}");
    }
}

#[test]
fn cautionary_terms_whole_words_only() {
    let h = hits("台湾政府宣布；解放后的变化。");
    assert_eq!(find(&h, "台湾政府").unwrap().severity, Severity::Warn);
    assert!(find(&h, "解放后").is_some());
    for ok in [
        "妈妈的手艺很好。",     // 妈的 inside 妈妈的
        "我靠近一点。",         // 我靠 inside 我|靠近
        "反对“台独”分裂活动。", // quoted mention
        "残疾人就业服务。",     // the recommended form
    ] {
        let w: Vec<_> = hits(ok)
            .into_iter()
            .filter(|h| h.kind == TypoKind::Wording)
            .collect();
        assert!(w.is_empty(), "{ok}: {w:?}");
    }
}

// ---------- check-text ----------

fn govaudit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_govaudit"))
}

#[test]
fn check_text_exit_codes_and_positions() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.txt");
    std::fs::write(&clean, "各级人民政府要认真贯彻落实。\n").unwrap();
    let out = govaudit().arg("check-text").arg(&clean).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    let bad = dir.path().join("bad.md");
    std::fs::write(&bad, "# 标题\n\n第二行：各级人名政府。\n").unwrap();
    let out = govaudit()
        .args(["check-text", "--format", "json"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["line"], 3);
    assert_eq!(f["column"], 7);
    assert_eq!(f["wrong"], "人名政府");
    assert_eq!(f["suggest"], "人民政府");
    assert_eq!(f["severity"], "deduct");
    assert_eq!(f["kind"], "dictionary");
    assert!(f["file"].as_str().unwrap().ends_with("bad.md"));
    assert!(f["context"].as_str().unwrap().contains("人名政府"));

    // A warn-only file exits 0 but still prints the hit.
    let warn = dir.path().join("warn.txt");
    std::fs::write(&warn, "大力宏扬优良传统。").unwrap();
    let out = govaudit().arg("check-text").arg(&warn).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("warn.txt:1:3:"), "{stdout}");
    assert!(stdout.contains("宏扬 → 弘扬"), "{stdout}");

    let missing = dir.path().join("missing.txt");
    let out = govaudit()
        .arg("check-text")
        .arg(&missing)
        .arg(&clean)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("missing.txt"), "{stderr}");
}

#[test]
fn check_text_html_reports_original_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        "<html><head><title>通知</title><style>p{color:red}</style></head>\n<body>\n<p class=\"x\">关于&ldquo;人名政府&rdquo;的<b>说明</b></p>\n<script>var s = '人名政府';</script>\n</body></html>\n",
    )
    .unwrap();
    let out = govaudit()
        .args(["check-text", "--format", "json"])
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "script text is not checked: {f:?}");
    assert_eq!(f[0]["line"], 3);
    // <p class="x"> is 13 chars, 关于 2, &ldquo; 7 → column 23.
    assert_eq!(f[0]["column"], 23);
}

#[test]
fn check_text_reads_gbk() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("gbk.txt");
    let (bytes, _, _) = encoding_rs::GBK.encode(
        "关于进一步加强管理的通知。各级人名政府要认真贯彻落实有关规定，确保各项工作落到实处。",
    );
    std::fs::write(&p, &bytes).unwrap();
    let out = govaudit()
        .args(["check-text", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["wrong"], "人名政府", "{v}");
}

#[test]
fn page_furniture_is_never_corrected() {
    // Navigation text of list pages once produced 尾页 → 一页.
    for ok in [
        "首页 上一页 下一页 尾页",
        "当前第1页 下一页 尾页 主办单位：区人民政府办公室",
        "上一篇 下一篇 打印本页 关闭窗口",
    ] {
        let h = hits(ok);
        assert!(h.is_empty(), "{ok}: {h:?}");
    }
}

/// A minimal .docx: a zip holding a deflated word/document.xml (CRC left 0: the
/// reader does not need it).
fn write_docx(path: &std::path::Path, xml: &str) {
    use std::io::Write;
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(xml.as_bytes()).unwrap();
    let data = enc.finish().unwrap();
    let name = b"word/document.xml";
    let mut zip: Vec<u8> = Vec::new();
    let le16 = |v: usize| (v as u16).to_le_bytes();
    let le32 = |v: usize| (v as u32).to_le_bytes();
    // Local file header.
    zip.extend_from_slice(b"PK\x03\x04");
    zip.extend_from_slice(&le16(20));
    zip.extend_from_slice(&le16(0));
    zip.extend_from_slice(&le16(8));
    zip.extend_from_slice(&[0; 8]); // time, date, crc
    zip.extend_from_slice(&le32(data.len()));
    zip.extend_from_slice(&le32(xml.len()));
    zip.extend_from_slice(&le16(name.len()));
    zip.extend_from_slice(&le16(0));
    zip.extend_from_slice(name);
    zip.extend_from_slice(&data);
    let cd = zip.len();
    // Central directory entry.
    zip.extend_from_slice(b"PK\x01\x02");
    zip.extend_from_slice(&le16(20));
    zip.extend_from_slice(&le16(20));
    zip.extend_from_slice(&le16(0));
    zip.extend_from_slice(&le16(8));
    zip.extend_from_slice(&[0; 8]);
    zip.extend_from_slice(&le32(data.len()));
    zip.extend_from_slice(&le32(xml.len()));
    zip.extend_from_slice(&le16(name.len()));
    zip.extend_from_slice(&[0; 12]); // extra, comment, disk, internal and external attrs
    zip.extend_from_slice(&le32(0)); // local header offset
    zip.extend_from_slice(name);
    let cd_len = zip.len() - cd;
    // End of central directory.
    zip.extend_from_slice(b"PK\x05\x06");
    zip.extend_from_slice(&[0; 4]);
    zip.extend_from_slice(&le16(1));
    zip.extend_from_slice(&le16(1));
    zip.extend_from_slice(&le32(cd_len));
    zip.extend_from_slice(&le32(cd));
    zip.extend_from_slice(&le16(0));
    std::fs::write(path, zip).unwrap();
}

#[test]
fn check_text_reads_docx_paragraphs() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("draft.docx");
    write_docx(
        &p,
        r#"<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>关于加强管理的通知</w:t></w:r></w:p><w:p><w:pPr/><w:r><w:t xml:space="preserve">各级</w:t></w:r><w:r><w:t>人名政府&amp;部门</w:t></w:r></w:p></w:body></w:document>"#,
    );
    let out = govaudit()
        .args(["check-text", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["wrong"], "人名政府", "{v}");
    assert_eq!(f["line"], 2, "line = paragraph");
    assert_eq!(f["column"], 3);

    // A file that is not a zip cannot be read: exit 2 naming the file.
    let bad = dir.path().join("broken.docx");
    std::fs::write(&bad, "not a zip").unwrap();
    let out = govaudit().arg("check-text").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.docx"));
}

// ---------- names (people, companies, places) ----------

fn page_hits(pages: &[&str]) -> Vec<Vec<TypoHit>> {
    let book = checker().name_book(pages.iter().copied());
    pages
        .iter()
        .map(|p| checker().check_with(p, &[], &book))
        .collect()
}

#[test]
fn names_beside_titles_lists_and_tables_are_silent() {
    for ok in [
        // A surname alone before a title: 石局 looks like 时局, 何主 like 户主.
        "石局长主持会议，何主任、程局长、时局长出席。",
        "区委书记王建国、副区长李明陪同调研，局长柴静佳汇报工作。",
        "参加会议的有韩兰夏、陶祥杰、诸葛生长、沈慧信、张方北等同志。",
        "联系人：龚民晨　联系电话：0571-86585038",
        "序号　姓名　性别　职务\n1　毛秋峰　男　科员\n2　成伟　女　科长\n3　时凯会　男　副科长",
        "认定以下单位为区级农业龙头企业：\n1．云溪区盛利建材有限公司\n2．银兴建材有限责任公司\n3．盛兴融资租赁专业合作社",
        "曲晓说，下一步将继续完善桥头村至柳塘路的道路和路灯设施。",
    ] {
        let h = hits(ok);
        let typos: Vec<_> = h.iter().filter(|h| h.kind != TypoKind::Wording).collect();
        assert!(typos.is_empty(), "{ok}: {typos:?}");
    }
}

#[test]
fn a_name_used_on_the_site_is_a_name_everywhere() {
    // 时凯会 beside a title on two pages; on the third page he stands alone before a
    // comma (no title, no list) and is still not "开会".
    let pages = [
        "副局长时凯会主持会议。",
        "时凯会副局长强调，要狠抓落实。",
        "会后，时凯会，以及有关科室负责人留下研究具体措施。",
    ];
    for (p, h) in pages.iter().zip(page_hits(&pages)) {
        let typos: Vec<_> = h.iter().filter(|h| h.kind != TypoKind::Wording).collect();
        assert!(typos.is_empty(), "{p}: {typos:?}");
    }
}

#[test]
fn misused_words_still_fire_beside_names() {
    let h = hits("座谈会上，王建国局长指出，有的干部面对困难变本加利，要再接再励。");
    assert_eq!(find(&h, "变本加利").unwrap().suggest, "变本加厉");
    assert_eq!(find(&h, "再接再励").unwrap().severity, Severity::Deduct);
    // A confident confusion outside the names is still a deduction.
    let h = hits("区长李明强调，要健全依法刑政制度体系。");
    assert_eq!(find(&h, "依法刑政").unwrap().severity, Severity::Deduct);
}

#[test]
fn a_misspelt_leader_beside_his_title_is_still_a_veto() {
    // The name recogniser takes 习进平 for a person beside 总书记, yet serious names are
    // checked everywhere.
    let h = hits("区委书记王建国传达学习习进平总书记重要讲话精神。");
    let x = h
        .iter()
        .find(|h| h.kind == TypoKind::Serious)
        .expect("misspelt leader flagged");
    assert!(x.wrong.starts_with("习进平"), "{}", x.wrong);
    assert_eq!(x.severity, Severity::Veto);
    // With a site name book that has seen the misspelling beside titles, still a veto.
    let pages = [
        "习进平总书记指出。",
        "习进平总书记强调。",
        "学习习进平总书记讲话。",
    ];
    for h in page_hits(&pages) {
        assert!(
            h.iter()
                .any(|h| h.kind == TypoKind::Serious && h.severity == Severity::Veto),
            "{h:?}"
        );
    }
}

#[test]
fn common_misused_words_of_issue_12_fire() {
    for (text, wrong, right) in [
        ("两人谈笑风声，气氛融洽。", "谈笑风声", "谈笑风生"),
        ("节日期间游客穿流不息。", "穿流不息", "川流不息"),
        ("不能默守成规。", "默守成规", "墨守成规"),
        ("双方寒喧几句后进入正题。", "寒喧", "寒暄"),
        ("暑期到乡村渡假的游客增多。", "渡假", "度假"),
        ("我们决不甘败下风。", "甘败下风", "甘拜下风"),
        ("该品牌声名雀起。", "声名雀起", "声名鹊起"),
    ] {
        let h = hits(text);
        let x = find(&h, wrong).unwrap_or_else(|| panic!("{text}: {h:?}"));
        assert_eq!(x.suggest, right);
        assert_eq!(x.severity, Severity::Deduct, "{x:?}");
    }
    // Not in any list: an idiom one confusable character off is found by the detector.
    let h = hits("为困难群众雪中送碳。");
    let x = find(&h, "雪中送碳").expect("雪中送碳");
    assert_eq!(
        (x.suggest.as_str(), x.kind),
        ("雪中送炭", TypoKind::Confusion)
    );
    assert_eq!(x.severity, Severity::Deduct);
    // Their right forms and a recognised variant stay silent.
    for ok in [
        "双方寒暄几句。",
        "到度假村度假。",
        "不能墨守陈规。",
        "为困难群众雪中送炭。",
    ] {
        let hs = hits(ok);
        assert!(severe(&hs).is_empty(), "{ok}: {hs:?}");
    }
}

// ---------- real-page false alarms (State Council and municipal pages) ----------

#[test]
fn number_units_official_abbreviations_and_terms_stay_silent() {
    // Seen flagged on real pages: 亿件 → 一件 after digits, 健委 → 建委 inside
    // 卫健委, 保监 → 保健 inside 银保监, 可研 → 科研.
    for text in [
        "快递业务量18.2亿件，增长13.9%；快递业务收入12亿元。",
        "卫生数据来自县卫健委；保险数据来自宜春银保监分局。",
        "荆南四河堤防一期工程可研报告批复后开工建设。",
    ] {
        let h = hits(text);
        assert!(h.is_empty(), "{text}: {h:?}");
    }
    // A misspelling beside the same words still fires.
    let h = hits("快递业务量18.2亿件，各级人名政府要加强监管。");
    assert!(find(&h, "人名政府").is_some(), "{h:?}");
}

#[test]
fn a_word_right_after_a_title_is_at_most_a_hint() {
    // 主任计承法: a name whose surname (计) the list lacks reads like 继承法;
    // beside a title that is a guess, never a deduction.
    let h = hits("原煤炭工业管理办公室主任计承法受到行政记大过处分。");
    assert!(severe(&h).is_empty(), "{h:?}");
    // Look-alike: the same confusion away from a title still deducts.
    let h = hits("要认真学习民法典中的计承法相关规定，依法办理遗产事宜。");
    let x = find(&h, "计承法").expect("计承法 flagged away from a title");
    assert_eq!(x.severity, Severity::Deduct, "{x:?}");
}

#[test]
fn a_title_centred_over_several_lines_keeps_its_brackets_paired() {
    // Real State Council pages centre a long title over two or three
    // paragraphs: 《 opens on one line and 》 closes on the next.
    let text = "国务院办公厅关于印发《政府网站集约化\n\n试点工作方案》的通知\n国办函〔2018〕71号\n";
    let h = hits(text);
    assert!(h.iter().all(|x| x.kind != TypoKind::Wording), "{h:?}");
    let text = "国务院工作规则\n（2004年6月16日国务院第54次常务会议通过\n2018年6月25日国务院第14次常务会议修订通过）\n第一章　总则\n";
    let h = hits(text);
    assert!(h.iter().all(|x| x.kind != TypoKind::Wording), "{h:?}");
    // A bracket left open at a sentence's end is still unpaired, and so is
    // one the next line does not close.
    let h = hits("请认真贯彻落实《条例。\n试点工作方案》的通知\n");
    assert!(h.iter().any(|x| x.wrong == "《"), "{h:?}");
    let h = hits("请认真贯彻落实《条例\n要求各单位执行。\n");
    assert!(h.iter().any(|x| x.wrong == "《"), "{h:?}");
}

#[test]
fn a_swap_inside_a_real_word_only_warns_unless_it_restores_an_idiom() {
    // 笔划 is a word (a variant of 笔画): 按姓氏笔划为序 is no deduction.
    let h = hits("（二）专家委员（按姓氏笔划为序）");
    assert!(severe(&h).is_empty(), "{h:?}");
    // An idiom restored still deducts (see idiom tests): 谈笑风声 → 谈笑风生.
    let h = hits("两人谈笑风声，气氛融洽。");
    let x = find(&h, "谈笑风声").expect("谈笑风声 flagged");
    assert_eq!(x.severity, Severity::Deduct);
}
