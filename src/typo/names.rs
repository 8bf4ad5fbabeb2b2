//! Proper names (people, organisations, places) found before the confusion check, so
//! that 王建国局长, 石局长 (石局 looks like 时局), 、-lists of names, cells of a 姓名
//! column and companies in award lists are not "corrected" into common words.
//!
//! Only the confusion detector and two-character dictionary forms respect these spans;
//! serious names (leaders, the state) are checked everywhere, so a misspelt leader's
//! name beside his title is still a veto.
//!
//! A person is a surname (单姓 or 复姓) plus one or two given-name characters in a clear
//! context: beside a title or role (局长, 同志, 董事长 …), before a verb of attendance
//! (出席, 主持, 调研 …) or after one (会见, 陪同 …), in a 、- or space-separated list of
//! such names, or alone in a table cell / after a 姓名：-type label. A [`NameBook`] holds
//! the names a whole site uses in such contexts; a name seen there
//! [`NameBook::MIN_SEEN`] times is a name on every page of the site.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use super::lexicon::{is_han, Lexicon};

/// Common single-character surnames (the ~300 commonest, 《百家姓》 order not kept).
pub const SURNAMES: &str = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由";

/// Compound surnames (复姓).
pub const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "令狐", "端木", "西门", "南宫", "独孤", "申屠", "轩辕", "钟离", "闻人", "万俟", "澹台",
    "公冶", "太史", "呼延", "赫连", "第五", "东郭", "司空", "百里", "淳于",
];

/// Titles and roles written right after a name (王建国局长, 李明同志, 王局长).
const TITLES: &[&str] = &[
    "同志",
    "先生",
    "女士",
    "老师",
    "教授",
    "博士",
    "院士",
    "主任",
    "副主任",
    "书记",
    "副书记",
    "局长",
    "副局长",
    "处长",
    "副处长",
    "科长",
    "副科长",
    "股长",
    "厅长",
    "副厅长",
    "部长",
    "副部长",
    "区长",
    "副区长",
    "县长",
    "副县长",
    "市长",
    "副市长",
    "省长",
    "副省长",
    "镇长",
    "副镇长",
    "乡长",
    "副乡长",
    "村长",
    "主席",
    "副主席",
    "委员",
    "常委",
    "代表",
    "董事长",
    "副董事长",
    "董事",
    "总经理",
    "副总经理",
    "经理",
    "院长",
    "副院长",
    "校长",
    "副校长",
    "所长",
    "副所长",
    "站长",
    "队长",
    "副队长",
    "组长",
    "副组长",
    "秘书长",
    "副秘书长",
    "调研员",
    "主任科员",
    "馆长",
    "行长",
    "社长",
    "会长",
    "副会长",
    "理事长",
    "总监",
    "总工",
    "工程师",
    "检察长",
    "庭长",
    "审判员",
    "法官",
    "律师",
    "医生",
    "医师",
    "护士",
    "记者",
    "支书",
    "网格员",
    "干事",
    "科员",
    "专员",
    "负责人",
    "联络员",
    "联系人",
    "警官",
    "指导员",
    "政委",
    "厂长",
    "主编",
    "编辑",
    "总裁",
    "园长",
    "班长",
    "监事",
    "会计",
    "民警",
    "辅警",
    "村医",
    "老人",
    "阿姨",
    "师傅",
    "大姐",
    "大哥",
    "一行",
    "等人",
];

/// Verbs of attendance and speech written right after a name (王建国出席, 李明主持).
const AFTER_VERBS: &[&str] = &[
    "出席", "参加", "陪同", "主持", "调研", "会见", "看望", "慰问", "讲话", "指出", "强调", "表示",
    "介绍", "带队", "率队", "汇报", "发言", "致辞", "宣读", "参观", "考察", "检查", "督导", "走访",
    "提出", "要求", "作了", "出任", "担任", "任职", "同志", "获得", "荣获", "当选", "履职", "到任",
    "分管", "主管", "负责", "联系", "签发", "审核", "核稿", "说", "称", "讲",
];

/// Words written right before a name (会见王建国, 联系人：李明, 局长王建国).
const BEFORE_WORDS: &[&str] = &[
    "会见",
    "接见",
    "看望",
    "慰问",
    "陪同",
    "联系人",
    "负责人",
    "经办人",
    "姓名",
    "记者",
    "通讯员",
    "撰稿",
    "撰稿人",
    "摄影",
    "审核",
    "编辑",
    "责任编辑",
    "审稿",
    "校对",
    "发布人",
    "起草人",
    "签发人",
    "承办人",
    "申请人",
    "代理人",
    "法定代表人",
    "被申请人",
    "信息员",
];

/// Organisation suffixes: the run of Han characters before one is a company's name.
const ORG_SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "分公司",
    "公司",
    "集团",
    "专业合作社",
    "合作社",
    "联合社",
    "家庭农场",
    "农场",
    "牧场",
    "林场",
    "商行",
    "经营部",
    "门市部",
    "事务所",
    "工作室",
    "合伙企业",
    "个体工商户",
    "商店",
    "超市",
    "酒店",
    "宾馆",
    "饭店",
    "茶楼",
    "厂",
];

/// Place suffixes starting a word of their own: the 1–3 characters before are a name.
const PLACE_SUFFIXES: &[&str] = &[
    "街道", "社区", "小区", "新村", "大道", "大街", "花园", "广场", "大厦", "家园", "苑", "镇",
    "乡", "村", "路", "街", "巷", "弄", "湾", "坝", "屯", "寨", "庄",
];

/// Surname characters that far more often start an organisation's short name before a
/// title (党委书记, 政协委员, 人大代表, 团委书记, 常务副县长): a single given character
/// after them is not taken for a name (党伟副书记 is 党委副书记 misspelt).
const ORG_FIRST: &str = "党政人纪团工妇宣组统常副总国省市区县镇乡村街";

/// Characters ending the place part of a company name (黑龙江省|电力有限公司): the
/// place is checked, only what follows it is the company's own name.
const PLACE_END: &str = "省市县区州盟旗";

/// Surname characters that are far more often function words before a title
/// (会议由副区长主持, 于局长而言): never a surname standing alone.
const FUNCTION_BEFORE: &str = "由和于与及向对在为将把被从是也都同并或等经";

/// Characters that may follow a name in running text (王建国在会上…).
const FUNCTION_AFTER: &str = "在和与及同的到对为就向说是也均都已将率等";

/// Kind of a recognised name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Person,
    Organisation,
    Place,
}

/// A name found in a text: char range and kind; `clear` when found in a context strong
/// enough to count for the site's [`NameBook`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameSpan {
    pub start: usize,
    pub end: usize,
    pub kind: NameKind,
    pub clear: bool,
}

/// Person names a site uses in clear contexts, with how often they were seen.
#[derive(Debug, Default, Clone)]
pub struct NameBook {
    seen: HashMap<String, usize>,
    ac: Option<AhoCorasick>,
    names: Vec<String>,
}

impl NameBook {
    /// A name seen this many times in clear contexts on a site is a name everywhere on it.
    pub const MIN_SEEN: usize = 2;

    /// Counts one occurrence of a name.
    pub fn add(&mut self, name: &str) {
        *self.seen.entry(name.to_string()).or_insert(0) += 1;
    }

    /// Builds the matcher over the names seen often enough.
    pub fn finish(&mut self) {
        let mut names: Vec<String> = self
            .seen
            .iter()
            .filter(|(n, &c)| c >= Self::MIN_SEEN && n.chars().count() >= 2)
            .map(|(n, _)| n.clone())
            .collect();
        names.sort();
        self.ac = (!names.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&names)
                .expect("name book builds")
        });
        self.names = names;
    }

    /// The names used everywhere on the site (sorted).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Byte ranges of known names in `text`.
    pub fn find(&self, text: &str) -> Vec<(usize, usize)> {
        match &self.ac {
            Some(ac) => ac.find_iter(text).map(|m| (m.start(), m.end())).collect(),
            None => Vec::new(),
        }
    }
}

/// A small set of words looked up by their first character.
#[derive(Debug, Default)]
struct WordSet {
    /// first char → words (as chars), longest first.
    by_first: HashMap<char, Vec<Vec<char>>>,
}

impl WordSet {
    fn new(words: &[&str]) -> WordSet {
        let mut by_first: HashMap<char, Vec<Vec<char>>> = HashMap::new();
        for w in words {
            let c: Vec<char> = w.chars().collect();
            by_first.entry(c[0]).or_default().push(c);
        }
        for v in by_first.values_mut() {
            v.sort_by_key(|w| std::cmp::Reverse(w.len()));
        }
        WordSet { by_first }
    }
}

/// Tables of the recogniser, built once per checker.
#[derive(Debug)]
pub struct NameFinder {
    titles: WordSet,
    after: WordSet,
    before: WordSet,
    orgs: WordSet,
    places: WordSet,
}

impl Default for NameFinder {
    fn default() -> Self {
        Self::new()
    }
}

/// Longest word of `set` starting exactly at char `i` of `chars`, in chars.
fn word_at(set: &WordSet, chars: &[char], i: usize) -> usize {
    let Some(list) = chars.get(i).and_then(|c| set.by_first.get(c)) else {
        return 0;
    };
    list.iter()
        .find(|w| chars.len() >= i + w.len() && chars[i..i + w.len()] == w[..])
        .map_or(0, Vec::len)
}

/// Longest word of `words` ending exactly before char `i`, in chars.
/// A title or role (主任, 局长 …) ends right before char `i`: what follows is
/// most likely a name (主任计承法), even with a surname outside the list.
pub fn after_title(chars: &[char], i: usize) -> bool {
    word_before(TITLES, chars, i) > 0
}

fn word_before(words: &[&str], chars: &[char], i: usize) -> usize {
    let mut best = 0;
    for w in words {
        let n = w.chars().count();
        if n <= i && n > best && chars[i - n..i].iter().copied().eq(w.chars()) {
            best = n;
        }
    }
    best
}

/// Length (1 or 2) of the surname starting at char `i`, or 0.
pub fn surname_at(chars: &[char], i: usize) -> usize {
    if i + 1 < chars.len() {
        let two: String = chars[i..i + 2].iter().collect();
        if COMPOUND_SURNAMES.contains(&two.as_str()) {
            return 2;
        }
    }
    usize::from(i < chars.len() && SURNAMES.contains(chars[i]))
}

fn is_sep(c: char) -> bool {
    c.is_whitespace() || matches!(c, '|' | '\u{3000}' | '\u{a0}')
}

impl NameFinder {
    /// Builds the tables.
    pub fn new() -> NameFinder {
        NameFinder {
            titles: WordSet::new(TITLES),
            after: WordSet::new(AFTER_VERBS),
            before: WordSet::new(BEFORE_WORDS),
            orgs: WordSet::new(ORG_SUFFIXES),
            places: WordSet::new(PLACE_SUFFIXES),
        }
    }

    /// A plausible person name `[s, e)`: surname first, 1–2 given characters, and not a
    /// common word of the dictionary (全体委员: 全体 is a word, not a name).
    fn plausible(&self, chars: &[char], s: usize, e: usize, lex: &Lexicon) -> bool {
        let sl = surname_at(chars, s);
        if sl == 0 || e <= s + sl || e - s - sl > 2 || e > chars.len() {
            return false;
        }
        if !chars[s..e].iter().all(|&c| is_han(c)) {
            return false;
        }
        if sl == 1 && e - s == 2 && ORG_FIRST.contains(chars[s]) {
            return false;
        }
        // The given name starts no title or verb (石局长 is a surname and a title,
        // 党伟副书记 holds 副书记).
        for p in s + sl..e {
            if word_at(&self.titles, chars, p) > 0 || word_at(&self.after, chars, p) > 0 {
                return false;
            }
        }
        let w = &chars[s..e];
        lex.freq(w) == 0 || lex.is_person(w)
    }

    /// Names in `chars` (a whole text). `boundary(i)`: the best segmentation has a word
    /// boundary before char `i`.
    pub fn find(
        &self,
        chars: &[char],
        lex: &Lexicon,
        boundary: &dyn Fn(usize) -> bool,
    ) -> Vec<NameSpan> {
        let n = chars.len();
        let mut out: Vec<NameSpan> = Vec::new();
        let person = |s: usize, e: usize, clear: bool| NameSpan {
            start: s,
            end: e,
            kind: NameKind::Person,
            clear,
        };
        let han = |i: usize| i < n && is_han(chars[i]);
        // 1. Beside a title or a verb of attendance: 王建国局长, 王局长, 李明出席.
        for i in 1..n {
            let t = word_at(&self.titles, chars, i);
            let v = if t == 0 {
                word_at(&self.after, chars, i)
            } else {
                0
            };
            if t == 0 && v == 0 {
                continue;
            }
            // Surname alone before a title (王局长): the surname must stand alone.
            if t > 0
                && surname_at(chars, i - 1) == 1
                && !FUNCTION_BEFORE.contains(chars[i - 1])
                && (i < 2 || !han(i - 2) || boundary(i - 1))
            {
                let two = [chars[i - 1], chars[i]];
                if lex.freq(&two) == 0 || !boundary(i) {
                    out.push(person(i - 1, i, false));
                }
            }
            for len in [3usize, 2, 4] {
                if len > i {
                    continue;
                }
                let s = i - len;
                if !self.plausible(chars, s, i, lex) {
                    continue;
                }
                // The name starts a word: text start, a non-Han char, or a word boundary
                // in the segmentation, or right after a title (局长王建国).
                let left_ok = s == 0
                    || !han(s - 1)
                    || word_before(TITLES, chars, s) > 0
                    || word_before(BEFORE_WORDS, chars, s) > 0
                    || (boundary(s) && len == 3);
                if left_ok {
                    out.push(person(s, i, true));
                    break;
                }
            }
        }
        // 2. After a title or a 会见-type word: 局长王建国, 会见李明, 联系人：张伟.
        for i in 0..n {
            let b = word_at(&self.before, chars, i).max(word_at(&self.titles, chars, i));
            if b == 0 {
                continue;
            }
            let mut s = i + b;
            while s < n && matches!(chars[s], '：' | ':' | ' ' | '\u{3000}') {
                s += 1;
            }
            let sl = surname_at(chars, s);
            if sl == 0 {
                continue;
            }
            for g in [2usize, 1] {
                let e = s + sl + g;
                if e > n || !self.plausible(chars, s, e, lex) {
                    continue;
                }
                let right_ok = !han(e)
                    || chars[e] == '、'
                    || word_at(&self.titles, chars, e) > 0
                    || word_at(&self.after, chars, e) > 0
                    || FUNCTION_AFTER.contains(chars[e]);
                if right_ok {
                    out.push(person(s, e, true));
                    break;
                }
            }
        }
        // 3. Lists of names separated by 、 or spaces, and lone cells (姓名 columns).
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < n {
            if han(i) {
                let s = i;
                while han(i) {
                    i += 1;
                }
                runs.push((s, i));
            } else {
                i += 1;
            }
        }
        let has_header = chars.windows(2).any(|w| w == ['姓', '名']);
        let name_like =
            |s: usize, e: usize| e - s >= 2 && e - s <= 4 && self.plausible(chars, s, e, lex);
        let mut k = 0;
        while k < runs.len() {
            // A chain of runs joined by 、 (or by whitespace only).
            let mut j = k;
            let mut by_dun = false;
            while j + 1 < runs.len() {
                let gap = &chars[runs[j].1..runs[j + 1].0];
                let dun = gap.len() == 1 && gap[0] == '、';
                let space = !gap.is_empty() && gap.iter().all(|&c| is_sep(c));
                if dun {
                    by_dun = true;
                }
                if !(dun || space) {
                    break;
                }
                j += 1;
            }
            let chain = &runs[k..=j];
            if chain.len() >= 2 {
                // Edge runs may carry other words (出席会议的有王建国、…、张伟等同志).
                let mut items: Vec<(usize, usize)> = Vec::new();
                for (x, &(s, e)) in chain.iter().enumerate() {
                    let mut s2 = s;
                    let mut e2 = e;
                    if x == 0 && e - s > 4 {
                        s2 = if surname_at(chars, e - 3) > 0 {
                            e - 3
                        } else {
                            e - 2
                        };
                    }
                    if x + 1 == chain.len() && e2 - s2 > 4 {
                        let sl = surname_at(chars, s2);
                        e2 = (s2 + sl + 2).min(e2);
                        if e2 < e
                            && !(word_at(&self.titles, chars, e2) > 0
                                || word_at(&self.after, chars, e2) > 0
                                || FUNCTION_AFTER.contains(chars[e2]))
                        {
                            e2 -= 1;
                        }
                    }
                    items.push((s2, e2));
                }
                let good: Vec<&(usize, usize)> =
                    items.iter().filter(|&&(s, e)| name_like(s, e)).collect();
                // Whitespace-separated rows need three names, or a 姓名 header.
                let need = if by_dun || has_header { 2 } else { 3 };
                let enough = if has_header && !by_dun {
                    !good.is_empty()
                } else {
                    good.len() >= need && good.len() * 3 >= items.len() * 2
                };
                if enough {
                    for &&(s, e) in &good {
                        out.push(person(s, e, true));
                    }
                }
            } else {
                // A lone run of 2–4 chars between line breaks / cell gaps (a table cell).
                let (s, e) = runs[k];
                let left = s == 0 || is_sep(chars[s - 1]) || matches!(chars[s - 1], '：' | ':');
                let right = e == n || is_sep(chars[e]);
                if left && right && name_like(s, e) {
                    out.push(person(s, e, false));
                }
            }
            k = j + 1;
        }
        // 4. Organisations and places by their suffix.
        for i in 1..n {
            let o = word_at(&self.orgs, chars, i);
            if o > 0 && han(i - 1) {
                let mut s = i;
                while s > 0 && han(s - 1) && i - s < 10 && !PLACE_END.contains(chars[s - 1]) {
                    s -= 1;
                }
                out.push(NameSpan {
                    start: s,
                    end: i,
                    kind: NameKind::Organisation,
                    clear: false,
                });
                continue;
            }
            let p = word_at(&self.places, chars, i);
            if p > 0 && han(i - 1) && boundary(i) && (i + p >= n || boundary(i + p)) {
                let mut s = i;
                while s > 0 && han(s - 1) && i - s < 3 && chars[s - 1] != '、' {
                    s -= 1;
                }
                out.push(NameSpan {
                    start: s,
                    end: i,
                    kind: NameKind::Place,
                    clear: false,
                });
            }
        }
        out
    }
}

/// How a char of the checked text is protected from confusion "corrections".
pub const FREE: u8 = 0;
/// Inside an organisation's or place's name: corrections need a higher score.
pub const SOFT: u8 = 1;
/// Inside a person's name: never corrected.
pub const HARD: u8 = 2;

/// Marks the chars of `spans` in a mask of `n` chars ([`HARD`] for people and trade
/// names, [`SOFT`] for the rest of organisations' and places' names, which also hold
/// common words: 融资租赁公司).
pub fn mask(n: usize, spans: &[NameSpan]) -> Vec<u8> {
    let mut m = vec![FREE; n];
    for s in spans {
        let level = if s.kind == NameKind::Person {
            HARD
        } else {
            SOFT
        };
        for x in &mut m[s.start.min(n)..s.end.min(n)] {
            *x = (*x).max(level);
        }
        // A company's first two characters are its trade name (字号: 盛凯贸易, 凯通包装),
        // as arbitrary as a given name.
        if s.kind == NameKind::Organisation && s.end >= s.start + 4 {
            for x in &mut m[s.start.min(n)..(s.start + 2).min(n)] {
                *x = HARD;
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typo::{Analysis, TypoChecker};
    use std::sync::OnceLock;

    fn checker() -> &'static TypoChecker {
        static C: OnceLock<TypoChecker> = OnceLock::new();
        C.get_or_init(TypoChecker::builtin)
    }

    fn people(text: &str) -> Vec<String> {
        let a = Analysis::new(text, checker().lexicon());
        let mut v: Vec<String> = checker()
            .name_spans(&a)
            .into_iter()
            .filter(|s| s.kind == NameKind::Person)
            .map(|s| a.chars[s.start..s.end].iter().collect())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn names_beside_titles_verbs_and_labels() {
        assert_eq!(people("区委书记王建国出席会议。"), vec!["王建国"]);
        assert_eq!(people("石局长主持会议。"), vec!["石"]);
        assert_eq!(people("会议由副区长欧阳丽华主持。"), vec!["欧阳丽华"]);
        assert_eq!(people("联系人：曾凡平　电话：12345"), vec!["曾凡平"]);
        assert!(people("李明同志讲话。").contains(&"李明".to_string()));
    }

    #[test]
    fn name_lists_and_tables() {
        assert_eq!(
            people("参加会议的有王建国、李明、张晓燕等同志。"),
            vec!["张晓燕", "李明", "王建国"]
        );
        assert_eq!(
            people("序号　姓名　性别\n1　吴志坚　男\n2　柯旭凤　女"),
            vec!["吴志坚", "柯旭凤"]
        );
    }

    #[test]
    fn words_and_org_short_names_are_not_people() {
        // 全体 is a word; 党伟 before 副书记 is 党委 misspelt; titles are not given names.
        assert!(people("全体委员出席会议。").is_empty());
        assert!(
            people("镇党伟副书记主持。").is_empty(),
            "{:?}",
            people("镇党伟副书记主持。")
        );
        assert!(!people("石局长主持会议。").contains(&"石局长".to_string()));
        assert!(people("发展思路更加清晰。").is_empty());
    }

    #[test]
    fn book_keeps_names_seen_often() {
        let texts = [
            "局长王建国主持会议。",
            "王建国局长强调。",
            "王建国在会上指出。",
            "副局长李明出席。",
        ];
        let book = checker().name_book(texts);
        assert_eq!(book.names(), ["王建国"]);
        assert_eq!(book.find("王建国在会上指出").len(), 1);
    }

    #[test]
    fn companies_and_places_are_soft() {
        let a = Analysis::new(
            "授予盛利建材有限公司、青石村荣誉称号。",
            checker().lexicon(),
        );
        let spans = checker().name_spans(&a);
        let m = mask(a.chars.len(), &spans);
        let at = |w: &str| a.text[..a.text.find(w).unwrap()].chars().count();
        assert_eq!(m[at("盛利")], SOFT);
        assert_eq!(m[at("青石")], SOFT);
        assert_eq!(m[at("荣誉")], FREE);
        // In a list item the company name starts the span: its trade name is hard.
        let a = Analysis::new("2．云溪区盛凯贸易有限公司", checker().lexicon());
        let m = mask(a.chars.len(), &checker().name_spans(&a));
        let at = |w: &str| a.text[..a.text.find(w).unwrap()].chars().count();
        assert_eq!(m[at("盛凯")], HARD);
        assert_eq!(m[at("贸易")], SOFT);
        assert_eq!(m[at("云溪")], FREE, "the place prefix is checked");
    }
}
