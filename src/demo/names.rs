//! Chinese names and texts of the demo: places, departments, catalog
//! resources, legal bases, refusal reasons, duty changes, inspectors and
//! evidence. Everything here is fictional but written the way real
//! platform exports and inspection records are.

use crate::vocab::JurisdictionLevel;

/// A fictional city of the demo province: name, short name, 6-digit
/// administrative division code (province 14, city codes unused in reality).
pub struct CityName {
    /// Full name, e.g. 云州市.
    pub name: &'static str,
    /// Short name used in compound names, e.g. 云州.
    pub short: &'static str,
    /// Administrative division code.
    pub code: u32,
}

/// The cities; the first is the demo city of `small` and `city` scale.
pub const CITIES: [CityName; 10] = [
    CityName {
        name: "云州市",
        short: "云州",
        code: 141200,
    },
    CityName {
        name: "澄州市",
        short: "澄州",
        code: 141300,
    },
    CityName {
        name: "岚州市",
        short: "岚州",
        code: 141400,
    },
    CityName {
        name: "陵州市",
        short: "陵州",
        code: 141500,
    },
    CityName {
        name: "沧平市",
        short: "沧平",
        code: 141600,
    },
    CityName {
        name: "泽阳市",
        short: "泽阳",
        code: 141700,
    },
    CityName {
        name: "汾台市",
        short: "汾台",
        code: 141800,
    },
    CityName {
        name: "霁川市",
        short: "霁川",
        code: 141900,
    },
    CityName {
        name: "栖梧市",
        short: "栖梧",
        code: 142000,
    },
    CityName {
        name: "鹤原市",
        short: "鹤原",
        code: 142100,
    },
];

/// The counties of 云州市 at `city` scale: name, level, code suffix.
/// The third (新川县) carries its own measures (profile `xinxian`).
pub const YUNZHOU_COUNTIES: [(&str, JurisdictionLevel, u32); 10] = [
    ("云中区", JurisdictionLevel::District, 2),
    ("凤鸣区", JurisdictionLevel::District, 3),
    ("新川县", JurisdictionLevel::County, 21),
    ("白石县", JurisdictionLevel::County, 22),
    ("望川县", JurisdictionLevel::County, 23),
    ("松岭县", JurisdictionLevel::County, 24),
    ("青溪县", JurisdictionLevel::County, 25),
    ("梅溪县", JurisdictionLevel::County, 26),
    ("岚河县", JurisdictionLevel::County, 27),
    ("云州高新技术产业开发区", JurisdictionLevel::Zone, 71),
];

/// Name of the county with its own measures.
pub const XINXIAN_COUNTY: &str = "新川县";

/// Characters that make county names for the other cities of a province.
pub const COUNTY_CHAR1: &[&str] = &[
    "安", "宁", "平", "清", "泰", "和", "兴", "永", "东", "西", "长", "丰", "金", "玉", "石", "河",
    "阳", "乐", "临", "高",
];
/// Second characters of generated county names.
pub const COUNTY_CHAR2: &[&str] = &[
    "川", "原", "陵", "泽", "水", "平", "谷", "城", "溪", "岭", "台", "乡", "泉", "丘", "坪",
];

/// A kind of department and the resources it catalogs.
#[derive(Debug)]
pub struct DeptKind {
    /// Stable key.
    pub key: &'static str,
    /// Name at city level (without the city prefix).
    pub city: &'static str,
    /// Name at county or district level.
    pub county: &'static str,
    /// Relative size of its catalog.
    pub richness: f64,
    /// Registration category of its credit code: 11 organ, 12 public institution.
    pub category: &'static str,
    /// Base names of its data resources.
    pub subjects: &'static [&'static str],
}

/// Resources every department catalogs besides its own.
pub const GENERIC_SUBJECTS: &[&str] = &[
    "权责清单",
    "政务服务事项办理信息",
    "行政检查信息",
    "信用承诺信息",
    "投诉举报处理信息",
    "年度统计报表",
    "政策文件信息",
];

/// Qualifiers that turn a base resource name into further catalog entries.
pub const VARIANTS: &[&str] = &[
    "",
    "变更记录",
    "核验接口",
    "（历史数据）",
    "年度汇总",
    "按乡镇（街道）汇总",
    "月度统计",
    "明细",
    "（电子证照）",
    "办件过程信息",
];

/// The authority (政务服务和大数据管理局 / 大数据发展中心) and its resources.
pub const AUTHORITY: DeptKind = DeptKind {
    key: "authority",
    city: "政务服务和大数据管理局",
    county: "大数据发展中心",
    richness: 1.0,
    category: "11",
    subjects: &[
        "人口基础库数据",
        "法人基础库数据",
        "自然资源和空间地理基础库数据",
        "电子证照基础库数据",
        "政务服务事项目录",
        "政务服务办件信息",
        "12345政务服务便民热线工单信息",
        "政务服务好差评数据",
        "数据共享交换日志",
        "公共数据开放目录",
        "一件事一次办办件信息",
    ],
};

/// Departments in the order a city has them (the first twelve exist in the
/// `small` demo city).
pub const CITY_DEPTS: &[DeptKind] = &[
    DeptKind {
        key: "gongan",
        city: "公安局",
        county: "公安局",
        richness: 3.0,
        category: "11",
        subjects: &[
            "户籍人口基本信息",
            "居民身份证签发信息",
            "户口迁入迁出信息",
            "出生登记信息",
            "死亡注销户口信息",
            "流动人口居住登记信息",
            "居住证办理信息",
            "机动车登记信息",
            "机动车驾驶人信息",
            "道路交通事故信息",
            "交通违法处理信息",
            "出入境证件签发信息",
            "旅馆业住宿登记信息",
            "无犯罪记录证明信息",
            "易制毒化学品购买许可信息",
            "剧毒化学品购买许可信息",
            "保安服务许可信息",
            "大型群众性活动安全许可信息",
            "公章刻制备案信息",
            "户籍人口统计数据",
            "公民身份号码核验信息",
        ],
    },
    DeptKind {
        key: "renshe",
        city: "人力资源和社会保障局",
        county: "人力资源和社会保障局",
        richness: 2.5,
        category: "11",
        subjects: &[
            "城镇职工基本养老保险参保信息",
            "城乡居民基本养老保险参保信息",
            "失业保险参保信息",
            "工伤保险参保信息",
            "社会保险待遇发放信息",
            "社会保障卡发放信息",
            "就业登记信息",
            "失业登记信息",
            "职业技能等级证书信息",
            "人力资源服务许可信息",
            "劳动人事争议仲裁案件信息",
            "劳动保障监察案件信息",
            "技工院校学生学籍信息",
            "退休人员资格认证信息",
            "农民工工资保证金信息",
            "专业技术人员职称信息",
            "社会保险缴费基数信息",
            "就业补贴发放信息",
        ],
    },
    DeptKind {
        key: "shichang",
        city: "市场监督管理局",
        county: "市场监督管理局",
        richness: 2.5,
        category: "11",
        subjects: &[
            "市场主体登记信息",
            "市场主体变更登记信息",
            "市场主体注销信息",
            "企业年度报告信息",
            "经营异常名录信息",
            "严重违法失信名单信息",
            "食品经营许可信息",
            "食品生产许可信息",
            "药品零售企业许可信息",
            "特种设备使用登记信息",
            "特种设备作业人员证书信息",
            "计量器具检定信息",
            "工业产品生产许可信息",
            "产品质量监督抽查信息",
            "消费投诉举报信息",
            "个体工商户登记信息",
            "股权出质登记信息",
        ],
    },
    DeptKind {
        key: "ziran",
        city: "自然资源和规划局",
        county: "自然资源局",
        richness: 2.0,
        category: "11",
        subjects: &[
            "不动产登记信息",
            "不动产权属证书信息",
            "不动产抵押登记信息",
            "国有建设用地使用权出让信息",
            "建设用地规划许可信息",
            "建设工程规划许可信息",
            "乡村建设规划许可信息",
            "土地利用现状数据",
            "国土空间规划数据",
            "永久基本农田数据",
            "地质灾害隐患点信息",
            "矿业权登记信息",
            "基础测绘成果数据",
            "农村宅基地审批信息",
            "土地征收信息",
        ],
    },
    DeptKind {
        key: "minzheng",
        city: "民政局",
        county: "民政局",
        richness: 1.6,
        category: "11",
        subjects: &[
            "最低生活保障对象信息",
            "特困人员救助供养信息",
            "临时救助信息",
            "婚姻登记信息",
            "收养登记信息",
            "社会组织登记信息",
            "养老机构备案信息",
            "高龄津贴发放信息",
            "残疾人两项补贴信息",
            "殡葬服务信息",
            "地名信息",
            "孤儿基本生活保障信息",
            "困境儿童信息",
            "低收入人口动态监测信息",
        ],
    },
    DeptKind {
        key: "weijian",
        city: "卫生健康委员会",
        county: "卫生健康局",
        richness: 2.0,
        category: "11",
        subjects: &[
            "出生医学证明信息",
            "死亡医学证明信息",
            "医疗机构执业许可信息",
            "医师执业注册信息",
            "护士执业注册信息",
            "预防接种信息",
            "居民电子健康档案",
            "计划生育家庭特别扶助信息",
            "公共场所卫生许可信息",
            "放射诊疗许可信息",
            "妇幼保健服务信息",
            "传染病报告统计信息",
            "托育机构备案信息",
        ],
    },
    DeptKind {
        key: "zhujian",
        city: "住房和城乡建设局",
        county: "住房和城乡建设局",
        richness: 1.8,
        category: "11",
        subjects: &[
            "建筑业企业资质信息",
            "建筑工程施工许可信息",
            "商品房预售许可信息",
            "商品房买卖合同网签备案信息",
            "房屋租赁登记备案信息",
            "保障性住房配租信息",
            "物业服务企业信息",
            "建设工程竣工验收备案信息",
            "注册建造师信息",
            "燃气经营许可信息",
            "房地产开发企业资质信息",
            "农村危房改造信息",
            "建筑施工企业安全生产许可信息",
        ],
    },
    DeptKind {
        key: "yibao",
        city: "医疗保障局",
        county: "医疗保障局",
        richness: 1.5,
        category: "11",
        subjects: &[
            "基本医疗保险参保信息",
            "医疗保险缴费信息",
            "医疗费用结算信息",
            "门诊慢特病待遇认定信息",
            "异地就医备案信息",
            "定点医药机构信息",
            "医疗救助信息",
            "医保电子凭证信息",
            "生育保险待遇信息",
            "医保基金监管处罚信息",
        ],
    },
    DeptKind {
        key: "jiaoyu",
        city: "教育局",
        county: "教育局",
        richness: 1.5,
        category: "11",
        subjects: &[
            "中小学生学籍信息",
            "幼儿园办学许可信息",
            "民办学校办学许可信息",
            "教师资格认定信息",
            "学生资助信息",
            "义务教育招生入学信息",
            "中考成绩信息",
            "学校基本信息",
            "校外培训机构信息",
            "教职工基本信息",
        ],
    },
    DeptKind {
        key: "jiaotong",
        city: "交通运输局",
        county: "交通运输局",
        richness: 1.5,
        category: "11",
        subjects: &[
            "道路运输经营许可信息",
            "道路运输车辆营运证信息",
            "道路运输从业人员资格信息",
            "出租汽车经营许可信息",
            "网络预约出租汽车驾驶员证信息",
            "公路超限运输许可信息",
            "公交线路信息",
            "公交IC卡交易统计数据",
            "机动车维修经营备案信息",
            "农村公路基础数据",
        ],
    },
    DeptKind {
        key: "shuiwu",
        city: "税务局",
        county: "税务局",
        richness: 1.5,
        category: "11",
        subjects: &[
            "纳税人登记信息",
            "纳税信用等级信息",
            "增值税发票开具统计信息",
            "欠税公告信息",
            "重大税收违法失信案件信息",
            "个人所得税纳税记录",
            "社会保险费征收信息",
            "完税证明信息",
            "非正常户认定信息",
            "税收优惠备案信息",
        ],
    },
    DeptKind {
        key: "shengtai",
        city: "生态环境局",
        county: "生态环境分局",
        richness: 1.3,
        category: "11",
        subjects: &[
            "排污许可信息",
            "建设项目环境影响评价审批信息",
            "环境行政处罚信息",
            "重点排污单位名录",
            "空气质量监测数据",
            "地表水水质监测数据",
            "危险废物经营许可信息",
            "辐射安全许可信息",
            "污染源自动监控数据",
            "机动车排放检验信息",
        ],
    },
    DeptKind {
        key: "nongye",
        city: "农业农村局",
        county: "农业农村局",
        richness: 1.3,
        category: "11",
        subjects: &[
            "农村土地承包经营权信息",
            "农民专业合作社信息",
            "家庭农场名录",
            "农药经营许可信息",
            "种子生产经营许可信息",
            "兽药经营许可信息",
            "动物防疫条件合格证信息",
            "耕地地力保护补贴发放信息",
            "农机购置补贴信息",
            "农村集体经济组织登记信息",
            "高标准农田建设信息",
        ],
    },
    DeptKind {
        key: "yingji",
        city: "应急管理局",
        county: "应急管理局",
        richness: 1.0,
        category: "11",
        subjects: &[
            "危险化学品经营许可信息",
            "安全生产许可信息",
            "非煤矿山安全生产许可信息",
            "烟花爆竹经营许可信息",
            "生产安全事故信息",
            "应急救援队伍信息",
            "应急物资储备信息",
            "自然灾害灾情信息",
            "特种作业操作证信息",
        ],
    },
    DeptKind {
        key: "tongji",
        city: "统计局",
        county: "统计局",
        richness: 0.7,
        category: "11",
        subjects: &[
            "国民经济主要指标数据",
            "规模以上工业企业统计数据",
            "固定资产投资统计数据",
            "人口抽样调查数据",
            "居民收支调查数据",
            "统计单位名录库",
            "经济普查数据",
        ],
    },
    DeptKind {
        key: "caizheng",
        city: "财政局",
        county: "财政局",
        richness: 1.0,
        category: "11",
        subjects: &[
            "财政预算执行信息",
            "政府采购项目信息",
            "政府采购供应商信息",
            "惠民惠农财政补贴资金发放信息",
            "行政事业单位国有资产信息",
            "财政电子票据信息",
            "政府债务信息",
        ],
    },
    DeptKind {
        key: "sifa",
        city: "司法局",
        county: "司法局",
        richness: 1.0,
        category: "11",
        subjects: &[
            "律师执业信息",
            "律师事务所信息",
            "公证员执业信息",
            "人民调解案件信息",
            "社区矫正对象信息",
            "法律援助案件信息",
            "司法鉴定机构信息",
            "行政复议案件信息",
            "行政执法人员信息",
        ],
    },
    DeptKind {
        key: "shuili",
        city: "水务局",
        county: "水利局",
        richness: 0.9,
        category: "11",
        subjects: &[
            "取水许可信息",
            "水土保持方案审批信息",
            "河道采砂许可信息",
            "水文监测数据",
            "水库基础信息",
            "河湖长制信息",
            "农村供水工程信息",
        ],
    },
    DeptKind {
        key: "wenlv",
        city: "文化和旅游局",
        county: "文化和旅游局",
        richness: 0.8,
        category: "11",
        subjects: &[
            "旅行社业务经营许可信息",
            "娱乐场所经营许可信息",
            "互联网上网服务营业场所许可信息",
            "A级旅游景区信息",
            "文物保护单位信息",
            "营业性演出许可信息",
            "公共图书馆借阅统计数据",
        ],
    },
    DeptKind {
        key: "tuiyi",
        city: "退役军人事务局",
        county: "退役军人事务局",
        richness: 0.6,
        category: "11",
        subjects: &[
            "退役军人基本信息",
            "优抚对象信息",
            "抚恤补助发放信息",
            "退役士兵安置信息",
            "烈士褒扬信息",
        ],
    },
    DeptKind {
        key: "shangwu",
        city: "商务局",
        county: "商务局",
        richness: 0.8,
        category: "11",
        subjects: &[
            "对外贸易经营者备案信息",
            "外商投资企业信息",
            "单用途商业预付卡备案信息",
            "报废机动车回收拆解企业信息",
            "二手车交易信息",
            "成品油零售经营许可信息",
        ],
    },
    DeptKind {
        key: "fagai",
        city: "发展和改革委员会",
        county: "发展和改革局",
        richness: 1.0,
        category: "11",
        subjects: &[
            "固定资产投资项目审批信息",
            "企业投资项目备案信息",
            "政府定价目录信息",
            "重点项目建设信息",
            "公共信用信息",
            "信用修复信息",
            "能源消费统计数据",
        ],
    },
    DeptKind {
        key: "chengguan",
        city: "城市管理局",
        county: "城市管理局",
        richness: 0.9,
        category: "11",
        subjects: &[
            "城市道路挖掘许可信息",
            "户外广告设置许可信息",
            "城市管理行政处罚信息",
            "生活垃圾清运信息",
            "市政设施信息",
            "建筑垃圾处置核准信息",
        ],
    },
    DeptKind {
        key: "shenpi",
        city: "行政审批服务管理局",
        county: "行政审批服务管理局",
        richness: 1.5,
        category: "11",
        subjects: &[
            "行政许可事项办理信息",
            "企业开办办件信息",
            "工程建设项目审批信息",
            "证照联办信息",
            "告知承诺制审批信息",
            "中介服务事项信息",
        ],
    },
    DeptKind {
        key: "linye",
        city: "林业局",
        county: "林业局",
        richness: 0.6,
        category: "11",
        subjects: &[
            "林木采伐许可信息",
            "使用林地审核信息",
            "林权登记信息",
            "森林资源调查数据",
            "古树名木信息",
        ],
    },
    DeptKind {
        key: "renfang",
        city: "人民防空办公室",
        county: "人民防空办公室",
        richness: 0.4,
        category: "11",
        subjects: &["人防工程信息", "防空警报设施信息", "人防工程建设许可信息"],
    },
];

/// Keys of the departments a county has, in order (the first three exist
/// in each county of the `small` city).
pub const COUNTY_DEPT_KEYS: &[&str] = &[
    "gongan", "minzheng", "shichang", "renshe", "weijian", "ziran", "jiaoyu", "zhujian", "nongye",
    "yibao", "shuiwu",
];

/// Departments of a development zone's administrative committee: name and
/// the department kind whose resources it holds.
pub const ZONE_DEPTS: &[(&str, &str)] = &[
    ("经济发展局", "fagai"),
    ("社会事务局", "minzheng"),
    ("规划建设局", "zhujian"),
    ("市场监督管理分局", "shichang"),
    ("财政金融局", "caizheng"),
    ("安全生产监督管理局", "yingji"),
    ("公安分局", "gongan"),
    ("自然资源分局", "ziran"),
    ("教育文体局", "jiaoyu"),
];

/// Words that mark a resource as personal or sensitive (more often
/// conditional or not shared, never open).
pub const SENSITIVE_WORDS: &[&str] = &[
    "户籍",
    "身份证",
    "出生",
    "死亡",
    "犯罪",
    "矫正",
    "救助",
    "低保",
    "最低生活",
    "特困",
    "健康档案",
    "医疗费用",
    "病",
    "接种",
    "纳税记录",
    "参保",
    "缴费",
    "婚姻",
    "收养",
    "出入境",
    "住宿",
    "驾驶人",
    "困境儿童",
    "孤儿",
    "退役军人基本",
    "学籍",
    "成绩",
    "居住",
    "公民身份",
];

/// Names of base-database resources, which must be shared unconditionally
/// (XX Art.23, YK Art.19, KF Art.12).
pub const BASE_RESOURCES: &[&str] = &[
    "人口基础库数据",
    "法人基础库数据",
    "自然资源和空间地理基础库数据",
    "电子证照基础库数据",
    "市场主体登记信息",
    "不动产登记信息",
    "社会组织登记信息",
];

/// Legal bases cited for conditional or not-shared classifications.
pub const SHARE_BASES: &[&str] = &[
    "《中华人民共和国个人信息保护法》第十三条、第三十四条",
    "《中华人民共和国数据安全法》第三十八条",
    "《中华人民共和国统计法》第三十九条",
    "《中华人民共和国税收征收管理法》第八条",
    "《中华人民共和国社会保险法》第八十一条",
    "《不动产登记暂行条例》第二十七条",
    "《中华人民共和国保守国家秘密法》第十三条",
    "《医疗机构病历管理规定》第六条",
    "《中华人民共和国居民身份证法》第六条",
    "《社会救助暂行办法》第六十一条",
    "《政务数据共享条例》第十三条",
];

/// Reasons given when a share request is refused.
pub const REFUSAL_REASONS: &[&str] = &[
    "申请用途与申请部门法定职责不符",
    "未上传数据使用承诺书，退回补充材料",
    "申请数据项超出履职所需的最小范围",
    "该资源涉及个人隐私，依据《中华人民共和国个人信息保护法》第十三条不予提供",
    "申请的数据尚未完成汇聚，暂无法提供",
    "已有同类数据可通过平台核验接口获取，请勿重复申请",
    "申请材料中未注明使用期限和使用场景",
    "涉及国家秘密，依据《中华人民共和国保守国家秘密法》不予共享",
];

/// Reasons for refusing a request for data classified as not shared.
pub const NOT_SHARED_REASONS: &[&str] = &[
    "该资源在共享目录中为不予共享类",
    "该资源属不予共享类，依据共享目录及其依据不予提供",
];

/// Law revisions that trigger a catalog update.
pub const LAW_REVISIONS: &[&str] = &[
    "《中华人民共和国公司法》修订施行，注册资本认缴登记等数据项相应调整",
    "《中华人民共和国行政复议法》修订施行，行政复议案件信息资源需相应更新",
    "《社会救助暂行办法》修订，最低生活保障对象认定数据项调整",
    "《不动产登记暂行条例实施细则》修订，不动产登记信息资源需更新",
    "《政务数据共享条例》施行，共享目录编制要求调整",
    "《中华人民共和国统计法》修正施行，统计数据共享范围调整",
    "省人民政府规章修订，本部门证明事项清单调整",
    "《中华人民共和国个人信息保护法》配套标准发布，涉及个人信息资源的共享属性需复核",
];

/// Responsibilities that move between departments.
pub const DUTIES: &[&str] = &[
    "医疗救助",
    "价格监督检查",
    "地名管理",
    "农村宅基地管理",
    "防汛抗旱指挥",
    "政务服务热线",
    "粮食和物资储备",
    "退役军人优抚",
    "住房公积金提取核验",
    "企业信用修复",
];

/// Templates of duty changes (`{x}` a responsibility).
pub const DUTY_CHANGE_TEMPLATES: &[&str] = &[
    "机构改革，{x}职责划入本部门",
    "根据\"三定\"规定调整，新增{x}职责",
    "承接省级下放的{x}审批事项",
    "取消{x}证明事项，改为部门间数据共享核验",
    "{x}职能划出，相关资源目录需调整",
];

/// Surnames of inspectors.
pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
/// Given names of inspectors.
pub const GIVEN_NAMES: &[&str] = &[
    "建国", "丽娟", "志强", "海燕", "晓明", "文斌", "秀兰", "国华", "春梅", "永刚", "静", "磊",
    "敏", "伟", "洋", "婷", "军", "红霞", "建华", "玉兰", "宇航", "思远",
];
