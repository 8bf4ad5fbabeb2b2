#!/usr/bin/env python3
"""Generate fixtures/demo-portal/: the bundled demo district (云溪区) that
`govaudit demo` serves on 127.0.0.1 and audits with as_of = 2026-11-26.

Eight department sites on one server, each under its own path prefix, in the
CMS styles real district sites use (大汉 JCMS, TRS WCM, 政府信息公开目录 tables,
plain lists with 下一页/尾页), two of them GBK-encoded. Each site is built to
produce a known set of findings (see fixtures/demo-portal/README.md); the
generator checks that every internal link it writes resolves (except the
links that are meant to break) and that no clean page carries a known typo.

Run from the repository root:  python3 scripts/gen_demo_portal.py
Deterministic: the same script always writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import shutil
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "fixtures" / "demo-portal"
AS_OF = dt.date(2026, 11, 26)
DISTRICT = "云溪区"
TYPO_TSV = REPO.parent / "shared" / "data" / "typos" / "curated_high_precision_pairs.tsv"

# The annual-report template tables and the fake ID numbers come from the rule
# fixtures' generator (one copy of the template).
sys.path.insert(0, str(REPO / "fixtures"))
import _gen_annual_pii as annual  # noqa: E402

# path -> bytes
FILES: dict[str, bytes] = {}
ROUTES: list[dict] = []
# Links that are meant to fail (they must not exist as files).
MEANT_BROKEN: set[str] = set()
# Attachments with real content (href → bytes); the others get a stub.
ATTACHMENT_BYTES: dict[str, bytes] = {}
# Typos written on purpose: (site id, wrong form).
MEANT_TYPOS: set[tuple[str, str]] = set()


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def esc(s: str) -> str:
    return html.escape(s, quote=True)


# ---------------------------------------------------------------- model


@dataclass
class Article:
    title: str
    date: dt.date | None
    kind: str  # news notice policy interp hr plan gs
    topic: str = ""
    doc_no: str = ""
    body: list[str] = field(default_factory=list)
    attachments: list[tuple[str, str]] = field(default_factory=list)
    interp: list["Article"] = field(default_factory=list)  # 相关解读
    related: list["Article"] = field(default_factory=list)  # 相关文件 (on interpretations)
    links: list[tuple[str, str]] = field(default_factory=list)  # extra body links (text, href)
    index_no: str = ""
    written: "dt.date | None" = None  # 成文日期 when not a few days before the date
    url: str = ""
    column: "Column | None" = None
    raw_html: str = ""  # body written as HTML (annual-report tables), instead of `body`


@dataclass
class Column:
    name: str
    slug: str
    style: str  # jcms trs plain gkml
    items: list[Article] = field(default_factory=list)
    empty: str = ""  # "" | datastore | placeholder | emptylist
    single: list[str] = field(default_factory=list)  # a single-page column's paragraphs (单页栏目)
    mailbox: bool = False  # a letter form (领导信箱): a consultation channel, no list
    # A message board (在线咨询 / 网上信访): rows (title, asked, replied or "", status).
    board: list[tuple[str, str, str, str]] = field(default_factory=list)
    colid: int = 0
    per_page: int = 8
    url: str = ""
    pages: list[str] = field(default_factory=list)


@dataclass
class Site:
    id: str
    name: str  # 云溪区发展和改革局
    short: str  # 区发改局
    enc: str  # utf-8 | gbk-meta | gbk-header
    date_fmt: str  # iso | bracket | slash | cn | dot
    site_code: str
    beian: str
    address: str
    phone: str
    columns: list[Column] = field(default_factory=list)
    blocks: list[tuple[str, Column, list[Article]]] = field(default_factory=list)
    special_box: list[tuple[str, str]] = field(default_factory=list)
    unitid: int = 0
    meta_pubdate: str = ""  # "" | PubDate | Maketime
    # 功能设计 (47号 site standard): what the site shows; defaults comply.
    site_domain: str = ""  # <meta name="SiteDomain">; "" = <id>.yunxi.gov.cn
    police: bool = True  # 公安机关备案号 in the footer
    conac: bool = True  # 党政机关网站 badge in the footer
    zhaocuo: bool = True  # 「我为政府网站找错」 image link in the footer
    search: bool = True  # search form in the header
    full_meta: bool = True  # all eight standard meta tags on articles
    doc_no_shown: bool = True  # 文号 filled in the policy documents' metadata table
    services: str = "/zwfw/index.html"  # the 办事服务 link in the top bar ("" = none)

    @property
    def home(self) -> str:
        return f"/{self.id}/"


def fmt_date(site: Site, day: dt.date) -> str:
    f = site.date_fmt
    if f == "iso":
        return day.isoformat()
    if f == "bracket":
        return f"[{day.isoformat()}]"
    if f == "slash":
        return day.strftime("%Y/%m/%d")
    if f == "dot":
        return day.strftime("%Y.%m.%d")
    if f == "cn":
        return f"{day.year}年{day.month}月{day.day}日"
    raise ValueError(f)


def dates(newest: str, n: int, gaps=(1, 2, 3, 2, 4, 1, 3)) -> list[dt.date]:
    out, day = [], d(newest)
    for i in range(n):
        out.append(day)
        day -= dt.timedelta(days=gaps[i % len(gaps)])
    return out


# ---------------------------------------------------------------- prose


def cn_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def news_body(site: Site, a: Article, variant: int) -> list[str]:
    t, org = a.topic, site.short
    opening = [
        f"{cn_day(a.date)}，{org}召开{t}专题会议，传达学习上级有关文件精神，研究部署下一阶段重点工作，局主要负责同志出席会议并讲话。",
        f"{cn_day(a.date)}，{org}组织召开{t}工作推进会，听取各科室工作进展情况汇报，分析存在的困难和问题，明确下一步工作举措。",
        f"{cn_day(a.date)}，{org}分管负责同志带队赴基层开展{t}专题调研，实地察看有关点位，与基层干部群众座谈交流。",
        f"近日，{org}举办{t}业务培训班，邀请相关领域专家围绕政策要点和实务操作进行专题授课，局机关及下属单位业务骨干参加培训。",
    ][variant % 4]
    middle = [
        f"会议指出，做好{t}工作事关全区经济社会发展大局，各科室、各单位要进一步提高思想认识，压实工作责任，细化工作措施，确保各项任务落地见效。",
        f"调研组指出，要坚持问题导向和目标导向，聚焦群众关心关注的重点难点问题，加强部门协同配合，及时研究解决工作中遇到的困难。",
        "大家纷纷表示，通过学习进一步明确了工作思路和方法，将把所学所获运用到日常工作中，不断提升服务群众的能力和水平。",
    ][(0, 0, 1, 2)[variant % 4]]
    closing = f"下一步，{org}将持续跟踪督促，定期梳理工作进展，推动{t}各项工作取得新成效。"
    return [opening, middle, closing]


def notice_body(site: Site, a: Article) -> list[str]:
    return [
        "各有关单位：",
        f"为做好{a.topic}相关工作，根据上级有关工作部署，结合我区实际，现将有关事项通知如下。",
        "一、工作内容。各单位要对照工作要求，认真梳理本单位有关情况，按时报送相关材料，确保信息真实、准确、完整。",
        "二、工作要求。各单位要明确专人负责，加强统筹协调，对工作中发现的问题及时整改，并将整改情况一并报送。",
        f"三、联系方式。联系人：{site.short}办公室，联系电话：{site.phone}。",
        f"特此通知。{site.name}　{a.date.year}年{a.date.month}月{a.date.day}日",
    ]


def policy_body(site: Site, a: Article) -> list[str]:
    return [
        a.doc_no,
        "各街道办事处，区政府各部门、各直属单位：",
        f"现将《{a.topic}》印发给你们，请结合实际认真组织实施。",
        f"第一条　为进一步规范和加强相关工作，根据国家和省、市有关规定，结合本区实际，制定{a.topic.split('（')[0]}。",
        f"第二条　本办法适用于本区行政区域内的相关活动，由{site.name}负责组织实施和监督管理。",
        "第三条　各街道、各有关部门应当按照职责分工，加强协作配合，共同做好相关工作。",
        "第四条　本办法自印发之日起施行，有效期五年。",
        f"{site.name}　{a.date.year}年{a.date.month}月{a.date.day}日",
    ]


def interp_body(site: Site, a: Article) -> list[str]:
    return [
        f"一、出台背景。为贯彻落实上级决策部署，进一步做好相关工作，{site.name}在深入调研、广泛征求意见的基础上，研究起草了《{a.topic}》。",
        "二、主要内容。文件共分为总体要求、重点任务和保障措施三个部分，明确了工作目标、职责分工和实施步骤。",
        "三、主要特点。一是突出问题导向，聚焦群众反映集中的问题；二是注重可操作性，细化了各项任务的完成时限；三是强化部门协同，建立了定期会商机制。",
        f"四、解读机关及联系方式。解读机关：{site.name}；联系电话：{site.phone}。",
    ]


def hr_body(site: Site, a: Article) -> list[str]:
    return [
        f"根据干部选拔任用有关规定，经{site.name}党组研究，现将有关人选情况予以公示。",
        "公示期间，如对公示对象有意见，可通过来信、来电、来访等方式向区委组织部或本单位机关党委反映。反映情况要实事求是，并提供联系方式，以便核实了解有关情况。",
        f"联系电话：{site.phone}。",
    ]


def plan_body(site: Site, a: Article) -> list[str]:
    return [
        f"为深入推进{a.topic}，进一步明确年度目标任务，结合{site.short}工作实际，制定本计划。",
        "一、总体目标。围绕全区发展大局，统筹推进各项重点工作，确保年度目标任务全面完成。",
        "二、重点任务。加强统筹谋划，分解落实责任；完善工作机制，强化督促检查；注重总结提炼，推广典型经验。",
        "三、保障措施。加强组织领导，落实经费保障，强化宣传引导，营造良好工作氛围。",
    ]


def gs_body(site: Site, a: Article) -> list[str]:
    # No date anywhere: these items are meant to stay undated.
    return [
        f"根据有关规定，现将{a.topic}有关情况予以公示，接受社会监督。",
        f"公示期为五个工作日。如有异议，请在公示期内以书面形式向{site.name}反映，并提供真实姓名和联系方式。",
        f"联系电话：{site.phone}。",
    ]


# ---------------------------------------------------------------- builders


def news(site: Site, topics: list[str], newest: str, n: int, seed: int = 0) -> list[Article]:
    verbs = ["召开{t}专题会议", "部署{t}工作", "开展{t}专题调研", "举办{t}业务培训"]
    out = []
    for i, day in enumerate(dates(newest, n)):
        t = topics[(i + seed) % len(topics)]
        v = (i + seed) % len(verbs)
        a = Article(title=site.short + verbs[v].format(t=t), date=day, kind="news", topic=t)
        a.body = news_body(site, a, v)
        out.append(a)
    return out


def notices(site: Site, topics: list[str], newest: str, n: int) -> list[Article]:
    forms = ["关于做好{t}工作的通知", "关于开展{t}的通知", "关于{t}有关事项的通知"]
    out = []
    for i, day in enumerate(dates(newest, n, gaps=(5, 9, 7, 12))):
        t = topics[i % len(topics)]
        a = Article(title=forms[i % 3].format(t=t), date=day, kind="notice", topic=t)
        a.body = notice_body(site, a)
        out.append(a)
    return out


def policies(site: Site, docs: list[str], prefix: str, newest: str) -> list[Article]:
    out = []
    for i, day in enumerate(dates(newest, len(docs), gaps=(18, 25, 31))):
        no = f"{prefix}〔{day.year}〕{20 - i * 3}号"
        a = Article(
            title=f"{site.name}关于印发《{docs[i]}》的通知",
            date=day,
            kind="policy",
            topic=docs[i],
            doc_no=no,
        )
        a.body = policy_body(site, a)
        out.append(a)
    return out


def interps_for(site: Site, docs: list[Article], lag_days: int = 1) -> list[Article]:
    out = []
    for p in docs:
        a = Article(
            title=f"《{p.topic}》政策解读",
            date=p.date + dt.timedelta(days=lag_days),
            kind="interp",
            topic=p.topic,
        )
        a.body = interp_body(site, a)
        a.related = [p]
        p.interp.append(a)
        out.append(a)
    # newest first, as lists show them
    out.sort(key=lambda x: x.date, reverse=True)
    return out


def hr_items(site: Site, titles: list[str], newest: str) -> list[Article]:
    out = []
    for t, day in zip(titles, dates(newest, len(titles), gaps=(40, 63, 51))):
        a = Article(title=t, date=day, kind="hr", topic=t)
        a.body = hr_body(site, a)
        out.append(a)
    return out


def plan_items(site: Site, topics: list[str], newest: str) -> list[Article]:
    out = []
    for t, day in zip(topics, dates(newest, len(topics), gaps=(60, 90, 75))):
        a = Article(title=f"{site.name}{day.year}年{t}工作计划", date=day, kind="plan", topic=t)
        a.body = plan_body(site, a)
        out.append(a)
    return out


# ---------------------------------------------------------------- the district


def build_sites() -> list[Site]:
    sites = []

    # 1. 区发展和改革局 — 大汉 JCMS, clean: meant to pass with no finding.
    fgj = Site(
        id="fgj", name=f"{DISTRICT}发展和改革局", short="区发改局", enc="utf-8", date_fmt="iso",
        site_code="3301100011", beian="浙ICP备05012345号-2", address=f"{DISTRICT}人民路88号行政中心3号楼",
        phone="0571-86012301", unitid=54301, meta_pubdate="PubDate",
    )
    topics = ["重大项目建设", "营商环境优化", "粮食安全保障", "价格监测", "节能降碳", "民营经济发展",
              "社会信用体系建设", "服务业高质量发展", "国民经济运行分析", "以工代赈项目管理", "重点项目谋划"]
    dyn = Column("工作动态", "", "jcms", colid=1011, per_page=10,
                 items=news(fgj, topics, "2026-11-24", 26))
    tz = Column("通知公告", "", "jcms", colid=1012, per_page=10,
                items=notices(fgj, ["2026年度省级服务业发展引导资金申报", "全区重点项目年度计划调整",
                                    "固定资产投资项目节能审查", "冬季能源保供", "价格认定业务培训",
                                    "社会信用体系建设示范创建", "粮食收购市场巡查", "项目储备库更新",
                                    "重大项目前期工作经费申报"], "2026-11-20", 9))
    docs = policies(fgj, ["云溪区促进民营经济高质量发展若干措施", "云溪区重大项目谋划储备管理办法",
                          "云溪区公共资源交易管理暂行办法（修订）", "云溪区政府投资项目后评价实施办法",
                          "云溪区粮食应急保障实施方案"], "云发改", "2026-11-10")
    zc = Column("政策文件", "", "jcms", colid=1013, per_page=10, items=docs)
    jd = Column("政策解读", "", "jcms", colid=1014, per_page=10, items=interps_for(fgj, docs))
    gh = Column("规划计划", "", "jcms", colid=1015, per_page=10,
                items=plan_items(fgj, ["重大项目建设", "节能降碳", "社会信用体系建设", "价格监测"],
                                 "2026-08-15"))
    # A single-page column (单页栏目): one page of text, no list, no date.
    # It is not an empty column (column-empty must stay silent).
    jgzn = Column("机构职能", "", "jcms", colid=1016, single=[
        f"{DISTRICT}发展和改革局是区政府工作部门，为正科级，加挂区粮食和物资储备局牌子。",
        "主要职责：（一）拟订并组织实施全区国民经济和社会发展战略、中长期规划和年度计划，"
        "统筹协调经济社会发展，研究分析经济形势，提出国民经济发展和优化重大经济结构的目标、政策。",
        "（二）承担规划重大建设项目和生产力布局的责任，拟订全社会固定资产投资总规模和投资结构的调控目标。",
        "（三）负责全区粮食和物资储备管理工作，组织实施重要物资收储、轮换和日常管理。",
    ])
    # 互动交流 / 办事服务: a letter form (a working consultation channel) and an
    # up-to-date 办件统计 column (service-stats-stale stays silent).
    ldxx = Column("领导信箱", "ldxx", "plain", mailbox=True)
    bjtj = Column("办件统计", "bjtj", "plain", per_page=10,
                  items=[Article(title=f"2026年{m}月行政审批办件统计", date=d(day), kind="news",
                                 topic="行政审批办件统计") for m, day in ((10, "2026-11-04"), (9, "2026-10-08"))])
    for a in bjtj.items:
        a.body = [f"{a.title}：本月共受理行政许可事项86件，办结86件，按期办结率100%。"]
    fgj.columns = [dyn, tz, zc, jd, gh, jgzn, ldxx, bjtj]
    fgj.blocks = [("工作动态", dyn, dyn.items[:7]), ("通知公告", tz, tz.items[:6]),
                  ("政策文件", zc, zc.items[:5])]
    sites.append(fgj)

    # 2. 区人力资源和社会保障局 — TRS WCM, clean; its start page answers 503
    #    once (fail_first) so the crawler's retry is exercised without a finding.
    rsj = Site(
        id="rsj", name=f"{DISTRICT}人力资源和社会保障局", short="区人力社保局", enc="utf-8",
        date_fmt="bracket", site_code="3301100017", beian="浙ICP备05012345号-7",
        address=f"{DISTRICT}江滨路16号", phone="0571-86012307", meta_pubdate="Maketime",
    )
    topics = ["就业创业服务", "技能人才培养", "根治欠薪", "社会保险扩面", "劳动关系协调",
              "高校毕业生就业", "人力资源市场建设", "职称评审服务"]
    dyn = Column("人社动态", "rsdt", "trs", per_page=8, items=news(rsj, topics, "2026-11-25", 21, seed=3))
    tz = Column("通知公告", "tzgg", "trs", per_page=8,
                items=notices(rsj, ["2026年下半年职业技能等级认定", "企业职工基本养老保险待遇资格认证",
                                    "灵活就业人员社保补贴申领", "根治欠薪冬季专项行动",
                                    "高校毕业生见习基地申报", "人力资源服务机构年度报告公示",
                                    "工伤保险预防项目申报"], "2026-11-18", 7))
    docs = policies(rsj, ["云溪区就业创业补贴实施细则", "云溪区高技能人才引进培育办法",
                          "云溪区企业薪酬调查工作规程", "云溪区零工市场建设管理办法"], "云人社", "2026-10-28")
    zc = Column("政策文件", "zcwj", "trs", per_page=8, items=docs)
    jd = Column("政策解读", "zcjd", "trs", per_page=8, items=interps_for(rsj, docs, lag_days=2))
    rs = Column("人事信息", "rsxx", "trs", per_page=8,
                items=hr_items(rsj, ["区人力社保局所属事业单位公开招聘工作人员拟聘用人员公示",
                                     "区人力社保局干部任前公示", "区人力社保局公开遴选工作人员拟遴选人选公示"],
                               "2026-09-22"))
    # A name-rich page (a 姓名 table, officials beside their titles, a contact line,
    # companies): the typo rule must find nothing on it. Last item of the last
    # column, so no other page moves.
    rs.items.append(Article("区人力社保局2026年度就业创业工作先进个人和示范企业名单公示", d("2026-09-01"), "hr", body=[
        "经个人申报、科室推荐、局党组研究，拟认定以下同志为2026年度全区就业创业工作先进个人，现予以公示。"
        "局党组书记、局长时凯会，副局长严勤、陈长审定名单。",
        "序号　姓名　性别　工作单位及职务",
        "1　柴松民　女　就业促进科副科长",
        "2　乔晓时　男　劳动关系科四级主任科员",
        "3　凌艳海　男　社会保险科副科长",
        "4　阮卫胜　女　人才开发科四级主任科员",
        "示范企业：云溪区盛利建材有限公司、宇恒生物医药有限公司、银兴科技有限公司、安金包装材料家庭农场。",
        "时局长要求，获评个人和企业要再接再厉，发挥示范带动作用。公示期间如有异议，请与局办公室联系。",
        "联系人：关雨　联系电话：0571-86012307",
    ]))
    rsj.columns = [dyn, tz, zc, jd, rs, Column("局长信箱", "jzxx", "plain", mailbox=True)]
    rsj.blocks = [("人社动态", dyn, dyn.items[:7]), ("通知公告", tz, tz.items[:6])]
    ROUTES.append({"path": "/rsj/", "status": 503, "fail_first": 1,
                   "body": "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"})
    sites.append(rsj)

    # 3. 区教育局 — TRS WCM; homepage frozen since October while its columns
    #    are fresh (homepage-stale veto); a 404 link on the homepage; a policy
    #    document without its interpretation; one attachment that exists.
    jyj = Site(
        id="jyj", name=f"{DISTRICT}教育局", short="区教育局", enc="utf-8", date_fmt="slash",
        site_code="3301100013", beian="浙ICP备05012345号-4", address=f"{DISTRICT}学府路1号",
        phone="0571-86012303", meta_pubdate="Maketime",
        site_domain="www.yxjyj.com", doc_no_shown=False,
    )
    topics = ["义务教育优质均衡", "校园安全管理", "教师队伍建设", "课后服务", "学前教育普及普惠",
              "心理健康教育", "教育数字化转型", "劳动教育"]
    dyn = Column("教育动态", "jydt", "trs", per_page=6, items=news(jyj, topics, "2026-11-23", 15, seed=1))
    tz = Column("通知公告", "tzgg", "trs", per_page=6,
                items=notices(jyj, ["2027年义务教育阶段招生入学", "中小学冬季校园安全大检查",
                                    "教师资格认定", "民办学校年度检查", "中小学生体质健康监测",
                                    "学校食堂食品安全专项检查"], "2026-11-19", 6))
    docs = policies(jyj, ["云溪区中小学课后服务管理办法", "云溪区幼儿园收费管理实施细则",
                          "云溪区教师交流轮岗实施办法"], "云教", "2026-11-12")
    zc = Column("政策文件", "zcwj", "trs", per_page=6, items=docs)
    # The newest document has no interpretation: interpretation-missing.
    jd_items = interps_for(jyj, docs[1:], lag_days=1)
    jd = Column("政策解读", "zcjd", "trs", per_page=6, items=jd_items)
    docs[1].attachments = [("云溪区幼儿园收费标准表.pdf", "/jyj/attach/2026/10/P020261022_sfbz.pdf")]
    # 在线咨询 board: one message answered after more than 3 months
    # (interaction-unanswered veto), one after 89 days (silent), and no reply
    # published in the last 2 months (reply-stale −3).
    zxzx = Column("在线咨询", "zxzx", "plain", board=[
        ("关于学区划分调整的咨询", "2026-09-12", "2026-09-18", "已回复"),
        ("关于课后服务收费的咨询", "2026-03-02", "2026-05-30", "已回复"),
        ("关于教师职称评审的咨询", "2026-02-10", "2026-06-22", "已回复"),
    ])
    jyj.columns = [dyn, tz, zc, jd, zxzx]
    # Frozen homepage: shows only what was newest when it was last generated
    # (items dated 2026-10-30 and older).
    jyj.blocks = [
        ("教育动态", dyn, [a for a in dyn.items if a.date <= d("2026-10-30")][:6]),
        ("通知公告", tz, [a for a in tz.items if a.date <= d("2026-10-30")][:4]),
    ]
    jyj.special_box = [("“双减”工作专栏", "/jyj/ztzl/sjgz/index.html"),
                       ("教育政策法规库", "/jyj/zcwj/index.html")]
    MEANT_BROKEN.add("/jyj/ztzl/sjgz/index.html")
    sites.append(jyj)

    # 4. 区卫生健康委员会 — GBK, charset only in <meta>; plain lists + 政府信息公开目录
    #    tables. Passes with deductions: two typos, a stale dynamic column, one
    #    empty column (暂无信息), an attachment that 404s.
    wjw = Site(
        id="wjw", name=f"{DISTRICT}卫生健康委员会", short="区卫生健康委", enc="gbk-meta", date_fmt="cn",
        site_code="3301100014", beian="浙ICP备05012345号-5", address=f"{DISTRICT}健康路25号",
        phone="0571-86012304",
        police=False, conac=False,
    )
    topics = ["基层医疗卫生服务能力提升", "爱国卫生运动", "医疗机构安全生产", "家庭医生签约服务",
              "老年健康服务", "传染病防控", "健康促进"]
    dyn = Column("卫健动态", "wjdt", "plain", per_page=10, items=news(wjw, topics, "2026-11-05", 14, seed=2))
    dyn.items[2].body[1] = ("会议要求，各医疗卫生机构要认真贯切落实上级决策部署，"
                            "对照任务清单逐项推进，确保各项工作按时完成。")
    MEANT_TYPOS.add(("wjw", "贯切落实"))
    tz = Column("通知公告", "tzgg", "plain", per_page=10,
                items=notices(wjw, ["冬春季传染病防控", "2027年度医师定期考核", "基本公共卫生服务项目绩效评价",
                                    "医疗机构校验", "无偿献血宣传", "卫生健康统计年报"], "2026-11-20", 6))
    tz.items[1].body[3] = ("二、工作要求。希望各单位再接再励，巩固已有工作成果，"
                           "对工作中发现的问题及时整改，并将整改情况一并报送。")
    MEANT_TYPOS.add(("wjw", "再接再励"))
    tz.items[0].attachments = [("冬春季传染病防控工作指南.pdf", "/wjw/attach/2026/11/P020261120_fkzn.pdf")]
    MEANT_BROKEN.add("/wjw/attach/2026/11/P020261120_fkzn.pdf")
    # A 公示 whose xlsx attachment lists full ID numbers (pii-exposed at the
    # attachment, located by sheet and cell; generated numbers of nobody).
    fz = Article(title="2026年度计划生育特别扶助对象名单公示", date=d("2026-11-10"), kind="notice",
                 topic="计划生育特别扶助")
    fz.raw_html = ("<p>根据有关规定，现将2026年度计划生育特别扶助对象名单予以公示（详见附件），接受社会监督。</p>\n"
                   "<p>公示期为五个工作日。如有异议，请在公示期内向区卫生健康委反映。</p>")
    fz_href = "/wjw/attach/2026/11/P020261110_fzmd.xlsx"
    fz.attachments = [("2026年度计划生育特别扶助对象名单.xlsx", fz_href)]
    ATTACHMENT_BYTES[fz_href] = annual.xlsx_bytes([("公示名单", [
        ["2026年度计划生育特别扶助对象名单"],
        ["序号", "姓名", "身份证号码", "扶助类别", "金额（元/月）"],
        ["1", "沈某某", annual.fake_id("330110", "19640312", "028"), "独生子女伤残", "590"],
        ["2", "韩某某", annual.fake_id("330110", "19610927", "045"), "独生子女死亡", "720"],
    ])])
    fz.url = "/wjw/tzgg/content/post_81090.html"
    tz.items.insert(2, fz)
    docs = policies(wjw, ["云溪区家庭医生签约服务管理办法", "云溪区基层医疗卫生机构绩效考核办法",
                          "云溪区医疗卫生人才培养实施方案", "云溪区托育机构管理办法"], "云卫", "2026-11-13")
    # 成文日期 after 发布日期 (date-anomaly).
    docs[1].written = docs[1].date + dt.timedelta(days=9)
    zc = Column("政策文件", "zcwj", "gkml", items=docs)
    jd = Column("政策解读", "zcjd", "gkml", items=interps_for(wjw, docs))
    empty = Column("卫生监督", "wsjd", "plain", empty="placeholder")
    # 办件统计 not updated since July: service-stats-stale (−2).
    bjtj = Column("办件统计", "bjtj", "plain", per_page=10,
                  items=[Article(title=f"2026年{m}月医疗机构执业登记办件统计", date=d(day), kind="news",
                                 topic="办件统计") for m, day in ((6, "2026-07-06"), (5, "2026-06-03"))])
    for a in bjtj.items:
        a.body = [f"{a.title}：本月共受理医疗机构执业登记申请12件，办结12件。"]
    wjw.columns = [dyn, tz, zc, jd, empty, Column("主任信箱", "zrxx", "plain", mailbox=True), bjtj]
    wjw.blocks = [("卫健动态", dyn, dyn.items[:6]), ("通知公告", tz, tz.items[:5]),
                  ("政策文件", zc, zc.items[:4])]
    sites.append(wjw)

    # 5. 区住房和城乡建设局 — GBK, charset only in the HTTP header; plain lists
    #    with 下一页/尾页. Stale policy (> 180 d) and long-term (> 365 d)
    #    columns, an undated 公示公告 column, a 500 and a redirect loop deeper in.
    zjj = Site(
        id="zjj", name=f"{DISTRICT}住房和城乡建设局", short="区住建局", enc="gbk-header", date_fmt="dot",
        site_code="3301100015", beian="浙ICP备05012345号-6", address=f"{DISTRICT}建设路120号",
        phone="0571-86012305",
        full_meta=False,
    )
    topics = ["老旧小区改造", "建筑施工安全", "物业服务管理", "城镇燃气安全", "保障性住房建设",
              "建筑市场秩序整治", "既有住宅加装电梯", "房屋安全隐患排查"]
    dyn = Column("建设动态", "jsdt", "plain", per_page=8, items=news(zjj, topics, "2026-11-23", 20, seed=4))
    dyn.items[4].links = [("住房保障资格在线查询", "/zjj/bsfw/cx.jsp")]
    dyn.items[9].links = [("垃圾分类专题", "/zjj/zt/ljfl/index.html")]
    MEANT_BROKEN.update({"/zjj/bsfw/cx.jsp", "/zjj/zt/ljfl/index.html", "/zjj/zt/ljfl/index.htm"})
    tz = Column("通知公告", "tzgg", "plain", per_page=8,
                items=notices(zjj, ["建设工程冬季施工安全", "物业服务企业信用评价", "建筑工地扬尘治理",
                                    "城镇燃气安全专项整治", "住宅专项维修资金使用"], "2026-11-16", 5))
    docs = policies(zjj, ["云溪区老旧小区改造实施方案", "云溪区住宅专项维修资金管理办法",
                          "云溪区既有住宅加装电梯实施办法"], "云建", "2026-04-20")
    zc = Column("政策法规", "zcfg", "plain", per_page=8, items=docs)
    jd_items = interps_for(zjj, docs)
    extra = Article(title="《城市居民住房保障条例》修订要点解读", date=d("2026-09-18"), kind="interp",
                    topic="城市居民住房保障条例修订要点")
    extra.body = interp_body(zjj, extra)
    jd = Column("政策解读", "zcjd", "plain", per_page=8, items=[extra] + jd_items)
    rs = Column("人事信息", "rsxx", "plain", per_page=8,
                items=hr_items(zjj, ["区住建局干部任前公示", "区住建局所属事业单位公开招聘拟聘用人员公示"],
                               "2025-09-01"))
    gs_topics = ["城北安置房二期工程竣工验收", "2026年度既有住宅加装电梯补助资金拟发放名单",
                 "物业服务企业信用评价结果", "建筑施工企业安全生产许可证延期"]
    gs = Column("公示公告", "gsgg", "plain", per_page=8)
    for t in gs_topics:
        a = Article(title=f"关于{t}的公示", date=None, kind="gs", topic=t)
        a.body = gs_body(zjj, a)
        gs.items.append(a)
    # A 2026 article still naming the body abolished in 2019 (outdated-name),
    # and one naming it in a sentence about the reform (must stay silent).
    dyn.items[2].body.append("申请人可到区国土资源局一楼窗口咨询不动产登记相关事宜。")
    dyn.items[3].body.append("机构改革后，原区国土资源局的相关职责已划入区自然资源和规划局。")
    zjj.columns = [dyn, tz, zc, jd, rs, gs, Column("局长信箱", "jzxx", "plain", mailbox=True)]
    zjj.blocks = [("建设动态", dyn, dyn.items[:7]), ("通知公告", tz, tz.items[:5])]
    ROUTES.append({"path": "/zjj/bsfw/cx.jsp", "status": 500,
                   "body": "<html><body><h1>HTTP Status 500 - Internal Server Error</h1></body></html>"})
    ROUTES.append({"path": "/zjj/zt/ljfl/index.html", "redirect": "/zjj/zt/ljfl/index.htm"})
    ROUTES.append({"path": "/zjj/zt/ljfl/index.htm", "redirect": "/zjj/zt/ljfl/index.html"})
    sites.append(zjj)

    # 6. 区民政局 — 大汉 JCMS; six empty columns (three empty datastores, two
    #    暂无信息 pages, one empty list): column-empty veto; one typo.
    mzj = Site(
        id="mzj", name=f"{DISTRICT}民政局", short="区民政局", enc="utf-8", date_fmt="iso",
        site_code="3301100016", beian="浙ICP备05012345号-8", address=f"{DISTRICT}和平路9号",
        phone="0571-86012306", unitid=54306, meta_pubdate="PubDate",
        zhaocuo=False,
    )
    topics = ["困难群众救助帮扶", "养老服务体系建设", "社区治理", "婚姻登记服务", "社会组织规范管理",
              "殡葬领域专项整治"]
    dyn = Column("民政动态", "", "jcms", colid=2011, per_page=10, items=news(mzj, topics, "2026-11-24", 8))
    dyn.items[3].body[2] = ("下一步，区民政局将在区人名政府统一领导下，持续跟踪督促，"
                            "推动各项工作取得新成效。")
    MEANT_TYPOS.add(("mzj", "人名政府"))
    tz = Column("通知公告", "", "jcms", colid=2012, per_page=10,
                items=notices(mzj, ["2027年度社会组织年检", "冬季困难群众走访慰问", "养老机构消防安全检查",
                                    "最低生活保障家庭收入核对"], "2026-11-17", 4))
    # No 办事服务 link anywhere: service-missing veto.
    mzj.services = ""
    mzj.columns = [
        dyn, tz, Column("局长信箱", "jzxx", "plain", mailbox=True),
        Column("社会救助", "", "jcms", colid=2013, empty="datastore"),
        Column("养老服务", "", "jcms", colid=2014, empty="datastore"),
        Column("婚姻登记", "", "jcms", colid=2015, empty="placeholder"),
        Column("社会组织管理", "", "jcms", colid=2016, empty="datastore"),
        Column("慈善事业", "", "jcms", colid=2017, empty="placeholder"),
        Column("区划地名", "qhdm", "plain", empty="emptylist"),
    ]
    mzj.blocks = [("民政动态", dyn, dyn.items[:6]), ("通知公告", tz, tz.items[:4])]
    sites.append(mzj)

    # 7. 区市场监督管理局 — 政府信息公开目录 tables + plain lists; a misspelt
    #    state name (serious typo veto); one policy document without and one
    #    with a 相关解读 block.
    scjg = Site(
        id="scjg", name=f"{DISTRICT}市场监督管理局", short="区市场监管局", enc="utf-8", date_fmt="iso",
        site_code="3301100018", beian="浙ICP备05012345号-9", address=f"{DISTRICT}长兴路58号",
        phone="0571-86012308",
        search=False,
    )
    topics = ["食品安全监管", "特种设备安全", "知识产权保护", "消费维权", "质量强区建设",
              "个体工商户帮扶", "计量监督检查"]
    dyn = Column("市场监管动态", "scjgdt", "plain", per_page=10,
                 items=news(scjg, topics, "2026-11-25", 8, seed=5))
    tz = Column("通知公告", "tzgg", "plain", per_page=10,
                items=notices(scjg, ["2026年度食品生产企业监督检查", "特种设备使用登记", "广告监测",
                                     "计量器具强制检定", "年度报告公示"], "2026-11-21", 5))
    docs = policies(scjg, ["云溪区食品安全信用分级分类管理办法", "云溪区知识产权质押融资风险补偿办法",
                           "云溪区小餐饮登记管理实施细则"], "云市监", "2026-11-16")
    docs[0].body[3] = ("第一条　为加强食品安全信用监管，根据《中华人名共和国食品安全法》等法律法规，"
                       "结合本区实际，制定本办法。")
    MEANT_TYPOS.add(("scjg", "中华人名共和国"))
    zc = Column("政策文件", "zcwj", "gkml", items=docs)
    # docs[0] and docs[2] get no interpretation; docs[1] has one.
    jd = Column("政策解读", "zcjd", "gkml", items=interps_for(scjg, [docs[1]]))
    # Only a 网上信访 board: no consultation channel (interaction-no-channel veto).
    wsxf = Column("网上信访", "wsxf", "plain", board=[
        ("关于商铺租赁纠纷的信访", "2026-10-09", "2026-10-20", "已办结"),
    ])
    scjg.columns = [dyn, tz, zc, jd, wsxf]
    scjg.blocks = [("市场监管动态", dyn, dyn.items[:6]), ("通知公告", tz, tz.items[:5])]
    docs[2].attachments = [("小餐饮登记申请表.docx", "/scjg/attach/2026/10/P020261019_djb.docx")]
    sites.append(scjg)

    # 5b. 区住建局 also has a 信息公开年报 column whose newest report is 2024's:
    #     annual-report-missing (the 2025 report was due 2026-01-31).
    nb = Column("信息公开年报", "xxgknb", "plain", per_page=8)
    # The two reports chain: 2024 takes over the 3 that 2023 carries forward.
    for y, day, carried in [(2024, "2025-01-20", 3), (2023, "2024-01-19", 2)]:
        a = Article(title=f"{zjj.name}{y}年政府信息公开工作年度报告", date=d(day), kind="report")
        a.raw_html = annual.report_body(y, 2021, "html", annual.table3_data(2021, carried), annual.T4_OK,
                                        annual.INTRO_OK)
        nb.items.append(a)
    zjj.columns.append(nb)

    # 9. 区统计局 — plain lists (UTF-8). Its 2025 annual report came out on
    #    2026-03-05 (annual-report-late) and breaks 勾稽 in table 三 (自然人 and
    #    总计 columns: annual-report-inconsistent ×2); its 2024 report has no
    #    五、存在的主要问题及改进情况 (annual-report-incomplete); a 公示 page lists
    #    full ID numbers (pii-exposed, generated checksum-valid numbers of nobody).
    tjj = Site(
        id="tjj", name=f"{DISTRICT}统计局", short="区统计局", enc="utf-8", date_fmt="iso",
        site_code="3301100020", beian="浙ICP备05012345号-11", address=f"{DISTRICT}文昌路7号",
        phone="0571-86012310",
    )
    topics = ["经济普查", "统计执法检查", "统计数据质量", "统计调查队伍建设", "统计信息化"]
    dyn = Column("统计动态", "tjdt", "plain", per_page=10, items=news(tjj, topics, "2026-11-24", 8, seed=6))
    tz = Column("通知公告", "tzgg", "plain", per_page=10,
                items=notices(tjj, ["2026年统计年报布置", "规模以上工业企业统计培训", "统计执法检查"],
                              "2026-11-18", 3))
    gs_item = Article(title="2026年第四次全国经济普查入户登记员劳务补助发放公示", date=d("2026-11-12"),
                      kind="gs")
    rows = "".join(f"<tr><td>{i}</td><td>{n}</td><td>{pid}</td><td>{m}</td></tr>"
                   for i, (n, pid, m) in enumerate([
                       ("陈某某", annual.fake_id("330110", "19780214", "052"), 800),
                       ("周某某", annual.fake_id("330110", "19910830", "067"), 800)], 1))
    gs_item.raw_html = ("<p>现将劳务补助发放情况公示如下：</p>\n<table border=\"1\"><tr><td>序号</td><td>姓名</td>"
                        f"<td>身份证号码</td><td>金额（元）</td></tr>{rows}</table>\n"
                        "<p>公示期5个工作日，如有异议请与区统计局联系。</p>")
    gs = Column("公示公告", "gsgg", "plain", per_page=10, items=[gs_item])
    broken = annual.table3_data(2021)
    broken["forward"][0] += 1
    broken["forward"][6] += 1
    reports = []
    for y, day, d3, drop in [(2025, "2026-03-05", broken, None),
                             # The years chain (上年结转 = last year's 结转下年度).
                             (2024, "2025-01-22", annual.table3_data(2021, 1), 4),
                             (2023, "2024-01-19", annual.table3_data(2019, 0), None)]:
        a = Article(title=f"{tjj.name}{y}年政府信息公开工作年度报告", date=d(day), kind="report")
        a.raw_html = annual.report_body(y, 2021 if y > 2023 else 2019, "html" if y > 2023 else "flat",
                                        d3, annual.T4_OK, annual.INTRO_OK, drop_section=drop)
        reports.append(a)
    nb = Column("信息公开年报", "xxgknb", "plain", per_page=10, items=reports)
    tjj.columns = [dyn, tz, gs, nb]
    tjj.blocks = [("统计动态", dyn, dyn.items[:6]), ("通知公告", tz, tz.items[:3])]
    sites.append(tjj)

    # 8. 区生态环境分局 — unreachable: its start page always answers 503.
    sthj = Site(
        id="sthj", name=f"{DISTRICT}生态环境分局", short="区生态环境分局", enc="utf-8", date_fmt="iso",
        site_code="3301100019", beian="浙ICP备05012345号-10", address="", phone="",
    )
    ROUTES.append({"path": "/sthj/", "status": 503,
                   "body": "<html><body><h1>503 Service Unavailable</h1><p>The server is temporarily "
                           "unable to service your request.</p></body></html>"})
    sites.append(sthj)
    return sites


# ---------------------------------------------------------------- URLs


def assign_urls(site: Site) -> None:
    next_id = {"jcms": 3001, "trs": 5012001, "plain": 81001, "gkml": 6601}
    for col in site.columns:
        if col.style == "jcms":
            col.url = f"/{site.id}/col/col{col.colid}/index.html"
        elif col.style == "gkml":
            col.url = f"/{site.id}/xxgk/{col.slug}/index.html"
        else:
            col.url = f"/{site.id}/{col.slug}/index.html"
        base = col.url.rsplit("/", 1)[0]
        for a in col.items:
            a.column = col
            if a.url:
                continue  # placed by hand (added later: the other URLs keep theirs)
            n = next_id[col.style]
            next_id[col.style] += 1
            if col.style == "jcms":
                a.url = f"/{site.id}/art/{a.date.year}/{a.date.month}/{a.date.day}/art_{col.colid}_{n}.html"
            elif col.style == "trs":
                a.url = f"{base}/{a.date:%Y%m}/t{a.date:%Y%m%d}_{n}.html"
            elif col.style == "gkml":
                a.url = f"{base}/content/post_{n}.html"
                a.index_no = f"001008003{site.site_code[-3:]}/{a.date.year}-{n % 1000:05d}"
            else:
                a.url = f"{base}/content/post_{n}.html"
            if a.kind == "policy" and not a.index_no:
                a.index_no = f"001008003{site.site_code[-3:]}/{a.date.year}-{n % 1000:05d}"


# ---------------------------------------------------------------- rendering


def head(site: Site, title: str, extra_meta: str = "") -> str:
    if site.enc == "gbk-meta":
        cs = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n'
    elif site.enc == "gbk-header":
        cs = ""  # the charset is only in the HTTP header (see _routes.toml)
    else:
        cs = '<meta charset="utf-8">\n'
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n" + cs
        + f"<title>{esc(title)}</title>\n"
        f'<meta name="SiteName" content="{esc(site.name)}">\n'
        f'<meta name="SiteIDCode" content="{site.site_code}">\n'
        f'<meta name="SiteDomain" content="{site.site_domain or site.id + ".yunxi.gov.cn"}">\n'
        + extra_meta
        + f'<link rel="stylesheet" href="/{site.id}/images/style.css">\n</head>\n<body>\n'
    )


def header_nav(site: Site, current: str = "") -> str:
    lis = [f'<li><a href="/{site.id}/">首页</a></li>']
    for c in site.columns:
        cls = ' class="on"' if c.name == current else ""
        lis.append(f'<li{cls}><a href="{c.url}">{esc(c.name)}</a></li>')
    return (
        '<div class="header">\n'
        f'<div class="logo"><a href="/{site.id}/">{esc(site.name)}</a></div>\n'
        f'<div class="topbar"><a href="/">{DISTRICT}人民政府门户网站</a>'
        + (f'　<a href="{site.services}">办事服务</a>' if site.services else "")
        + "</div>\n"
        + (f'<div class="search"><form action="/{site.id}/search/" method="get" name="searchform">'
           '<input type="text" name="searchword" placeholder="请输入关键字">'
           '<input type="submit" value="搜索"></form></div>\n' if site.search else "")
        + "</div>\n"
        '<div class="nav" id="nav"><ul>\n' + "\n".join(lis) + "\n</ul></div>\n"
    )


def footer(site: Site) -> str:
    return (
        '<div class="footer">\n'
        f"<p>主办单位：{esc(site.name)}　地址：{esc(site.address)}　联系电话：{site.phone}</p>\n"
        f"<p>网站标识码：{site.site_code}　{site.beian}"
        + (f"　浙公网安备 330110020{site.site_code[-5:]}号" if site.police else "") + "</p>\n"
        + ("<p>" + (f'<img src="/{site.id}/images/dzjg.png" alt="党政机关网站标识">　' if site.conac else "")
           + (f'<a href="/zhaocuo.html"><img src="/{site.id}/images/jiucuo.png" alt="我为政府网站找错"></a>'
              if site.zhaocuo else "") + "</p>\n")
        + f'<p><a href="/">{DISTRICT}人民政府门户网站</a>　'
        f'<a href="/{site.id}/">返回首页</a></p>\n'
        "</div>\n</body>\n</html>\n"
    )


def breadcrumb(site: Site, col: Column | None, last: str = "") -> str:
    parts = [f'<a href="/{site.id}/">首页</a>']
    if col:
        parts.append(f'<a href="{col.url}">{esc(col.name)}</a>')
    if last:
        parts.append(esc(last))
    return '<div class="position">当前位置：' + " &gt; ".join(parts) + "</div>\n"


def rel(from_url: str, to_url: str) -> str:
    """Relative link as TRS writes it (./YYYYMM/t…html)."""
    base = from_url.rsplit("/", 1)[0] + "/"
    if to_url.startswith(base):
        return "./" + to_url[len(base):]
    return to_url


def li_item(site: Site, a: Article, list_url: str, relative: bool = False) -> str:
    href = rel(list_url, a.url) if relative else a.url
    date = f"<span>{fmt_date(site, a.date)}</span>" if a.date else ""
    return f'<li><a href="{href}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>{date}</li>'


def render_home(site: Site) -> str:
    out = [head(site, site.name), header_nav(site)]
    out.append('<div class="main">\n')
    out.append(
        f'<div class="banner"><p>{esc(site.name)}欢迎您</p></div>\n'
    )
    for heading, col, items in site.blocks:
        lis = "\n".join(li_item(site, a, f"/{site.id}/index.html") for a in items)
        out.append(
            '<div class="block">\n'
            f'<div class="block-title"><h2>{esc(heading)}</h2>'
            f'<a class="more" href="{col.url}">更多&gt;&gt;</a></div>\n'
            f'<ul class="list">\n{lis}\n</ul>\n</div>\n'
        )
    if site.special_box:
        lis = "\n".join(f'<li><a href="{h}">{esc(t)}</a></li>' for t, h in site.special_box)
        out.append(f'<div class="block zt">\n<div class="block-title"><h2>专题专栏</h2></div>\n'
                   f'<ul>\n{lis}\n</ul>\n</div>\n')
    out.append("</div>\n")
    out.append(footer(site))
    return "".join(out)


def paginate(items: list, per: int) -> list[list]:
    pages = [items[i:i + per] for i in range(0, len(items), per)]
    return pages or [[]]


def list_frame(site: Site, col: Column, inner: str) -> str:
    return (
        head(site, f"{col.name}_{site.name}", f'<meta name="ColumnName" content="{esc(col.name)}">\n')
        + header_nav(site, col.name)
        + '<div class="main">\n'
        + breadcrumb(site, col)
        + f'<div class="column-title"><h2>{esc(col.name)}</h2></div>\n'
        + inner
        + "</div>\n"
        + footer(site)
    )


def render_jcms_column(site: Site, col: Column) -> None:
    group = col.per_page * 2  # groupSize 2: the page carries the first two pages
    div_id = str(site.unitid + col.colid % 100)
    webname = urllib.parse.quote(site.name)
    proxy = f"/{site.id}/module/web/jpage/dataproxy.jsp"
    next_href = (f"{proxy}?page=1&appid=1&webid=1&path=/&columnid={col.colid}"
                 f"&unitid={div_id}&webname={webname}&permissiontype=0")

    def record(a: Article) -> str:
        return (f"<record><![CDATA[\n<li><a href=\"{a.url}\" title=\"{esc(a.title)}\" target=\"_blank\">"
                f"{esc(a.title)}</a><span>{fmt_date(site, a.date)}</span></li>]]></record>")

    if col.empty == "placeholder":
        inner = ('<div class="list-box">\n<div class="nodata">暂无信息</div>\n</div>\n')
    else:
        records = "\n".join(record(a) for a in col.items[:group])
        inner = (
            f'<div class="list-box">\n<div id="{div_id}"><script type="text/xml"><datastore>\n'
            f'<nextgroup><![CDATA[<a href="{next_href}"></a>]]></nextgroup>\n'
            f"<recordset>\n{records}\n</recordset>\n</datastore></script>"
            f'<script language="javascript" src="/{site.id}/module/jslib/jquery/jpage/jquery.jpage.js"></script>\n'
            "<script>\n"
            "$(document).ready(function(){\n"
            f"\t$('#{div_id}').jpage({{\n"
            f"\t\tdataStore: $('#{div_id} script[type=\"text/xml\"]').html(),\n"
            f"\t\tperPage: {col.per_page},\n"
            f"\t\ttotalRecord: {len(col.items)},\n"
            f"\t\tproxyUrl: '{proxy}',\n"
            "\t\tgroupSize: 2,\n"
            "\t\tbarPosition: 'bottom',\n"
            "\t\tshowMode: 'full',\n"
            f"\t\tajaxParam: {{col: 1, appid: 1, webid: 1, path: '/', columnid: {col.colid}, "
            f"sourceContentType: 1, unitid: '{div_id}', webname: '{site.name}', permissiontype: 0}}\n"
            "\t});\n});\n</script>\n</div>\n</div>\n"
        )
        # The dataproxy slices this full datastore for later groups.
        all_records = "\n".join(record(a) for a in col.items)
        FILES[f"{site.id}/_jcms/{col.colid}.xml"] = (
            f"<datastore>\n<totalrecord>{len(col.items)}</totalrecord>\n"
            f"<recordset>\n{all_records}\n</recordset>\n</datastore>\n"
        ).encode("utf-8")
    put(site, col.url, list_frame(site, col, inner))
    col.pages = [col.url]


def render_single_column(site: Site, col: Column) -> None:
    """A single-page column: its own text in the CMS body container, no list."""
    paras = "\n".join(f"<p>{esc(p)}</p>" for p in col.single)
    inner = f'<div class="article">\n<div id="zoom">\n{paras}\n</div>\n</div>\n'
    put(site, col.url, list_frame(site, col, inner))
    col.pages = [col.url]


def render_mailbox_column(site: Site, col: Column) -> None:
    """A 领导信箱: a letter form, no list (a consultation channel)."""
    inner = (
        '<div class="xx-form">\n<p>欢迎您通过本信箱反映问题、提出意见建议，我们将在15个工作日内答复。</p>\n'
        f'<form action="/{site.id}/mailbox/submit.jsp" method="post">\n'
        '<p>姓名：<input name="name"></p>\n<p>联系电话：<input name="tel"></p>\n'
        '<p>标题：<input name="title"></p>\n<p>内容：<textarea name="content"></textarea></p>\n'
        '<p><input type="submit" value="提交"></p>\n</form>\n</div>\n'
    )
    put(site, col.url, list_frame(site, col, inner))
    col.pages = [col.url]


def render_board_column(site: Site, col: Column) -> None:
    """A message board as TRS draws it: 序号 / 标题 / 留言时间 / 回复时间 / 状态,
    each message on its own page with 留言内容 / 答复单位 / 答复时间 / 答复内容."""
    base = col.url.rsplit("/", 1)[0]
    rows = []
    for i, (title, asked, replied, status) in enumerate(col.board, 1):
        url = f"{base}/content/msg_{i}.html"
        rows.append(f'<tr><td>{i}</td><td><a href="{url}" target="_blank">{esc(title)}</a></td>'
                    f"<td>{asked}</td><td>{replied}</td><td>{status}</td></tr>")
        answer = (f"<tr><th>答复单位：</th><td>{esc(site.name)}</td></tr>\n"
                  f"<tr><th>答复时间：</th><td>{replied}</td></tr>\n"
                  f"<tr><th>答复内容：</th><td>您好！您反映的问题已转相关科室核实办理，感谢您的关注。</td></tr>\n"
                  if replied else f"<tr><th>办理状态：</th><td>{status}</td></tr>\n")
        meta = (f'<meta name="ArticleTitle" content="{esc(title)}">\n<meta name="ColumnName" content="{esc(col.name)}">\n'
                f'<meta name="ColumnType" content="{esc(col.name)}">\n<meta name="ContentSource" content="{esc(site.short)}">\n'
                f'<meta name="PubDate" content="{asked} 09:00">\n' if site.full_meta else "")
        body = (
            head(site, f"{title}_{site.name}", meta)
            + header_nav(site, col.name) + '<div class="main">\n' + breadcrumb(site, col, "正文")
            + f'<div class="hd-detail">\n<h1>{esc(title)}</h1>\n<table class="hd_info">\n'
            f"<tr><th>留言标题：</th><td>{esc(title)}</td></tr>\n<tr><th>留言时间：</th><td>{asked}</td></tr>\n"
            f"<tr><th>留言内容：</th><td>{esc(title)}，请予答复。</td></tr>\n{answer}</table>\n</div>\n</div>\n"
            + footer(site)
        )
        put(site, url, body)
    inner = (
        '<table class="xxgk_table" width="100%" cellspacing="0">\n'
        '<tr class="head"><th>序号</th><th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>\n'
        + "\n".join(rows) + f'\n</table>\n<div class="page">共{len(rows)}条</div>\n'
    )
    put(site, col.url, list_frame(site, col, inner))
    col.pages = [col.url]


def render_trs_column(site: Site, col: Column) -> None:
    base = col.url.rsplit("/", 1)[0]
    pages = paginate(col.items, col.per_page)
    for i, items in enumerate(pages):
        url = f"{base}/index.html" if i == 0 else f"{base}/index_{i}.html"
        lis = "\n".join(li_item(site, a, url, relative=True) for a in items)
        inner = (
            f'<div class="list-box">\n<ul class="list">\n{lis}\n</ul>\n'
            f'<div class="page"><script type="text/javascript" src="/{site.id}/images/page.js"></script>'
            f'<script type="text/javascript">createPageHTML({len(pages)}, {i}, "index", "html");</script></div>\n'
            "</div>\n"
        )
        put(site, url, list_frame(site, col, inner))
        col.pages.append(url)


def render_plain_column(site: Site, col: Column) -> None:
    base = col.url.rsplit("/", 1)[0]
    if col.empty == "placeholder":
        put(site, col.url, list_frame(site, col, '<div class="list-box">\n<p class="nodata">暂无信息</p>\n</div>\n'))
        col.pages = [col.url]
        return
    if col.empty == "emptylist":
        put(site, col.url, list_frame(site, col, '<div class="list-box">\n<ul class="list">\n</ul>\n</div>\n'))
        col.pages = [col.url]
        return
    pages = paginate(col.items, col.per_page)
    n = len(pages)

    def page_url(i: int) -> str:
        return f"{base}/index.html" if i == 0 else f"{base}/list_{i + 1}.html"

    for i, items in enumerate(pages):
        lis = "\n".join(li_item(site, a, page_url(i)) for a in items)
        nav = [f'共{len(col.items)}条　第{i + 1}/{n}页', f'<a href="{page_url(0)}">首页</a>']
        nav.append(f'<a href="{page_url(i - 1)}">上一页</a>' if i > 0 else "<span>上一页</span>")
        nav.append(f'<a href="{page_url(i + 1)}">下一页</a>' if i + 1 < n else "<span>下一页</span>")
        nav.append(f'<a href="{page_url(n - 1)}">尾页</a>')
        inner = (f'<div class="list-box">\n<ul class="list">\n{lis}\n</ul>\n'
                 f'<div class="pagination">{" ".join(nav)}</div>\n</div>\n')
        put(site, page_url(i), list_frame(site, col, inner))
        col.pages.append(page_url(i))


def render_gkml_column(site: Site, col: Column) -> None:
    rows = []
    for i, a in enumerate(col.items, 1):
        rows.append(
            f"<tr><td>{i}</td><td class=\"mc\"><a href=\"{a.url}\" target=\"_blank\" title=\"{esc(a.title)}\">"
            f"{esc(a.title)}</a></td><td>{a.index_no}</td><td>{esc(site.name)}</td>"
            f"<td>{a.date.isoformat()}</td></tr>"
        )
    inner = (
        '<div class="xxgk-list">\n<table class="gkml" width="100%">\n'
        "<thead><tr><th>序号</th><th>名称</th><th>索引号</th><th>发布机构</th><th>发布日期</th></tr></thead>\n"
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n</div>\n"
    )
    put(site, col.url, list_frame(site, col, inner))
    col.pages = [col.url]


def render_article(site: Site, a: Article) -> str:
    col = a.column
    meta = f'<meta name="ArticleTitle" content="{esc(a.title)}">\n<meta name="ColumnName" content="{esc(col.name)}">\n'
    if site.full_meta:
        meta += (f'<meta name="ColumnType" content="{esc(col.name)}">\n'
                 f'<meta name="ContentSource" content="{esc(site.short)}">\n')
    if a.date and (site.meta_pubdate == "PubDate" or site.full_meta):
        meta += f'<meta name="PubDate" content="{a.date.isoformat()} 09:30">\n'
    if a.date and site.meta_pubdate == "Maketime":
        meta += f'<meta name="Maketime" content="{a.date.isoformat()} 10:15:36">\n'
    out = [head(site, f"{a.title}_{site.name}", meta), header_nav(site, col.name), '<div class="main">\n',
           breadcrumb(site, col, "正文"), '<div class="article">\n']
    if col.style == "gkml" or a.kind == "policy":
        # 信息公开 metadata: policy documents show 文号 and 成文日期 (a few days
        # before publication unless set), other catalogue entries 生成日期.
        if a.kind == "policy":
            written = a.written or a.date - dt.timedelta(days=3)
            no = esc(a.doc_no) if site.doc_no_shown else ""
            second = f"<th>成文日期</th><td>{written.isoformat()}</td>"
        else:
            no = esc(a.doc_no) or "无"
            second = f"<th>生成日期</th><td>{a.date.isoformat()}</td>"
        out.append(
            '<table class="xxgk-info">\n'
            f"<tr><th>索引号</th><td>{a.index_no}</td><th>发布机构</th><td>{esc(site.name)}</td></tr>\n"
            f"<tr><th>文　号</th><td>{no}</td>{second}</tr>\n"
            f"<tr><th>发布日期</th><td>{a.date.isoformat()}</td><th>名　称</th><td>{esc(a.title)}</td></tr>\n</table>\n"
        )
    out.append(f"<h1>{esc(a.title)}</h1>\n")
    if col.style != "gkml":
        if a.date is None:
            out.append(f'<div class="info">信息来源：{esc(site.short)}</div>\n')
        elif col.style == "trs":
            out.append(f'<div class="info"><span>发布时间：{a.date.isoformat()} 10:15</span>'
                       f"<span>来源：{esc(site.short)}</span></div>\n")
        elif col.style == "plain" and site.date_fmt in ("cn", "dot"):
            out.append(f'<div class="info">发布日期：{a.date.year}年{a.date.month}月{a.date.day}日　'
                       f"来源：{esc(site.short)}</div>\n")
        else:
            out.append(f'<div class="info">发布日期：{a.date.isoformat()}　信息来源：{esc(site.short)}'
                       '　浏览次数：<span id="hits">126</span></div>\n')
    paras = a.raw_html or "\n".join(f"<p>{esc(p)}</p>" for p in a.body)
    extra = "".join(f'<p>详见：<a href="{h}">{esc(t)}</a></p>\n' for t, h in a.links)
    out.append(f'<div class="content" id="zoom">\n{paras}\n{extra}</div>\n')
    if a.attachments:
        lis = "\n".join(f'<li><a href="{h}">{esc(t)}</a></li>' for t, h in a.attachments)
        out.append(f'<div class="attach"><h3>附件：</h3>\n<ul>\n{lis}\n</ul>\n</div>\n')
    if a.interp:
        lis = "\n".join(f'<li><a href="{i.url}">{esc(i.title)}</a></li>' for i in a.interp)
        out.append(f'<div class="xgjd"><h3>相关解读</h3>\n<ul>\n{lis}\n</ul>\n</div>\n')
    if a.related:
        lis = "\n".join(f'<li><a href="{r.url}">{esc(r.title)}</a></li>' for r in a.related)
        out.append(f'<div class="xgwj"><h3>相关文件</h3>\n<ul>\n{lis}\n</ul>\n</div>\n')
    out.append("</div>\n</div>\n")
    out.append(footer(site))
    return "".join(out)


def put(site: Site, url: str, text: str) -> None:
    """Store a page under its URL path, encoded as the site serves it."""
    rel_path = url.lstrip("/")
    if rel_path.endswith("/"):
        rel_path += "index.html"
    enc = "gbk" if site.enc.startswith("gbk") else "utf-8"
    FILES[rel_path] = text.encode(enc)  # raises if a character is not in GBK
    if site.enc == "gbk-header":
        paths = [url] + ([url[: -len("index.html")]] if url.endswith("/index.html") else [])
        for p in paths:
            ROUTES.append({"path": p, "content_type": "text/html; charset=GBK"})


STYLE_CSS = """body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333}
a{color:#333;text-decoration:none}a:hover{color:#c00}
.header{background:#1b5fa8;color:#fff;padding:18px 40px}.header a{color:#fff}.logo{font-size:26px}
.nav ul{margin:0;padding:0 40px;background:#0f4b8a;list-style:none;overflow:hidden}
.nav li{float:left}.nav li a{display:block;padding:8px 18px;color:#fff}.nav li.on a{background:#c00}
.main{width:1000px;margin:16px auto}.block{border:1px solid #ddd;margin-bottom:14px;padding:8px 14px}
.block-title{border-bottom:2px solid #1b5fa8;overflow:hidden}.block-title h2{float:left;margin:0;font-size:16px}
.more{float:right}.list li span,.list li b{float:right;color:#999}
.gkml,.xxgk-info{border-collapse:collapse}.gkml td,.gkml th,.xxgk-info td,.xxgk-info th{border:1px solid #ddd;padding:4px}
.article h1{text-align:center;font-size:22px}.info{text-align:center;color:#999}
.footer{background:#eee;text-align:center;padding:12px;font-size:12px;color:#666}
"""

PAGE_JS = """// TRS WCM pager: writes 首页/上一页/下一页/尾页 for index.html, index_1.html …
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var name = function (i) { return i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt; };
  var out = [];
  out.push("<a href=\\"" + name(0) + "\\">首页</a>");
  if (_nCurrIndex > 0) { out.push("<a href=\\"" + name(_nCurrIndex - 1) + "\\">上一页</a>"); }
  if (_nCurrIndex < _nPageCount - 1) { out.push("<a href=\\"" + name(_nCurrIndex + 1) + "\\">下一页</a>"); }
  out.push("<a href=\\"" + name(_nPageCount - 1) + "\\">尾页</a>");
  document.write(out.join(" "));
}
"""

JPAGE_JS = """/* jQuery jpage stub for the demo portal: real 大汉 JCMS sites load the
   plugin that renders the datastore and pages through dataproxy.jsp. */
(function ($) { if ($) { $.fn.jpage = function () { return this; }; } })(window.jQuery);
"""

# The 8-byte PNG signature: enough for the link checker.
PNG = b"\x89PNG\r\n\x1a\n"

# A tiny, valid one-page PDF.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
       b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
       b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n")


def render_site(site: Site) -> None:
    if not site.columns:
        return  # unreachable site: nothing but its 503 route
    assign_urls(site)
    FILES[f"{site.id}/images/style.css"] = STYLE_CSS.encode()
    FILES[f"{site.id}/images/dzjg.png"] = PNG
    FILES[f"{site.id}/images/jiucuo.png"] = PNG
    for col in site.columns:
        if col.single:
            render_single_column(site, col)
            continue
        if col.mailbox:
            render_mailbox_column(site, col)
            continue
        if col.board:
            render_board_column(site, col)
            continue
        {"jcms": render_jcms_column, "trs": render_trs_column, "plain": render_plain_column,
         "gkml": render_gkml_column}[col.style](site, col)
        for a in col.items:
            put(site, a.url, render_article(site, a))
    if any(c.style == "trs" for c in site.columns):
        FILES[f"{site.id}/images/page.js"] = PAGE_JS.encode()
    if any(c.style == "jcms" for c in site.columns):
        FILES[f"{site.id}/module/jslib/jquery/jpage/jquery.jpage.js"] = JPAGE_JS.encode()
        ROUTES.append({"path": f"/{site.id}/module/web/jpage/dataproxy.jsp", "handler": "jcms-dataproxy",
                       "records": f"{site.id}/_jcms"})
    put(site, f"/{site.id}/index.html", render_home(site))
    for col in site.columns:
        for a in col.items:
            for _, href in a.attachments:
                if href in ATTACHMENT_BYTES:
                    FILES[href.lstrip("/")] = ATTACHMENT_BYTES[href]
                elif href not in MEANT_BROKEN:
                    FILES[href.lstrip("/")] = PDF if href.endswith(".pdf") else b"PK\x03\x04demo-docx"


def render_root(sites: list[Site]) -> None:
    lis = "\n".join(f'<li><a href="/{s.id}/">{esc(s.name)}</a></li>' for s in sites)
    FILES["index.html"] = (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{DISTRICT}人民政府门户网站</title>\n</head>\n<body>\n"
        f"<h1>{DISTRICT}人民政府门户网站</h1>\n<h2>部门网站</h2>\n<ul>\n{lis}\n</ul>\n"
        "<p>演示门户：各部门网站内容均为虚构，仅供 govaudit 演示使用。</p>\n</body>\n</html>\n"
    ).encode()
    FILES["zhaocuo.html"] = (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>我为政府网站找错</title>\n</head>\n<body>\n"
        "<p>演示：真实网站的此入口链接全国政府网站找错平台（zfwzgl.www.gov.cn）。</p>\n</body>\n</html>\n"
    ).encode()
    FILES["zwfw/index.html"] = (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{DISTRICT}政务服务</title>\n</head>\n<body>\n"
        f"<!-- the district's 办事服务 page every department links to (service-missing: accepted) -->\n"
        f"<h1>{DISTRICT}政务服务</h1>\n<p>个人办事、法人办事、办事指南、在线申请，请登录浙江政务服务网办理。</p>\n"
        "</body>\n</html>\n"
    ).encode()
    FILES["robots.txt"] = (
        "# 云溪区政府网站群\nUser-agent: *\nDisallow: /fgj/manage/\nDisallow: /rsj/search/\n"
    ).encode()


def routes_toml() -> str:
    out = ["# Special answers of the demo server (read by govaudit's fixture server).\n"
           "# Generated by scripts/gen_demo_portal.py — edit the script, not this file.\n"]
    for r in ROUTES:
        out.append("\n[[route]]\n")
        for k in ("path", "status", "fail_first", "redirect", "content_type", "handler", "records", "body"):
            if k in r:
                v = r[k]
                out.append(f"{k} = {v}\n" if isinstance(v, int) else f'{k} = "{v}"\n')
    return "".join(out)


# ---------------------------------------------------------------- checks


def check(sites: list[Site]) -> None:
    import re

    served = set(FILES)
    route_paths = {r["path"] for r in ROUTES}
    problems = []
    href_re = re.compile(r'(?:href|src)="([^"]+)"')
    for path, data in FILES.items():
        if not path.endswith(".html"):
            continue
        text = data.decode("gbk" if path.split("/")[0] in ("wjw", "zjj") else "utf-8")
        base = "/" + path.rsplit("/", 1)[0] + "/" if "/" in path else "/"
        for href in href_re.findall(text):
            if href.startswith("./"):
                href = base + href[2:]
            target = href.split("?")[0]
            if target in MEANT_BROKEN or target in route_paths:
                continue
            f = target.lstrip("/")
            if f == "" or f.endswith("/"):
                f += "index.html"
            if f not in served:
                problems.append(f"{path}: broken link {href}")
    wrong = []
    if TYPO_TSV.exists():
        for line in TYPO_TSV.read_text().splitlines():
            if line and not line.startswith("#"):
                wrong.append(line.split("\t")[0])
    for path, data in FILES.items():
        if not path.endswith((".html", ".xml")):
            continue
        site = path.split("/")[0]
        text = data.decode("gbk" if site in ("wjw", "zjj") else "utf-8")
        for w in wrong:
            if w in text and (site, w) not in MEANT_TYPOS:
                problems.append(f"{path}: unintended typo {w}")
    for site_id, w in MEANT_TYPOS:
        if not any(w in data.decode("gbk" if site_id in ("wjw", "zjj") else "utf-8")
                   for p, data in FILES.items() if p.startswith(site_id + "/") and p.endswith(".html")):
            problems.append(f"{site_id}: intended typo {w} not written")
    if problems:
        sys.exit("\n".join(problems))


def main() -> None:
    sites = build_sites()
    for s in sites:
        render_site(s)
    render_root(sites)
    FILES["_routes.toml"] = routes_toml().encode()
    check(sites)
    # Keep the hand-written files (README.md, SITES.toml); regenerate the rest.
    keep = {"README.md", "SITES.toml"}
    if OUT.exists():
        for p in OUT.iterdir():
            if p.name not in keep:
                shutil.rmtree(p) if p.is_dir() else p.unlink()
    for rel_path, data in sorted(FILES.items()):
        p = OUT / rel_path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    total = sum(len(v) for v in FILES.values())
    print(f"wrote {len(FILES)} files, {total} bytes to {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
