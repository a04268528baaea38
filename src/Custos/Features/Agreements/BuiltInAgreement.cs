namespace Custos.Features.Agreements;

/// <summary>
/// The confidentiality agreement Custos starts with (version 1), following the obligations the seed policies give
/// staff: what is confidential, what may not be done with it, copies and transfers only as approved, reporting a
/// leak, duties that continue after leaving, and what a breach costs. A company publishes its own text as a new
/// version.
/// </summary>
internal static class BuiltInAgreement
{
    public const string Title = "客户信息保密协议";

    public const string Body = """
        本人在公司任职或为公司工作期间，因工作需要接触公司客户信息。为保护客户的隐私权和公司的合法权益，依据《中华人民共和国网络安全法》《中华人民共和国个人信息保护法》《中华人民共和国反不正当竞争法》及公司《客户信息保密管理制度》，本人作出如下承诺：

        一、保密范围。客户信息包括但不限于客户的姓名、身份证号、联系方式、家庭地址、工作单位等基本信息，财产状况、收入、银行账户、信用卡、投资理财、交易记录等财务信息，以及投诉记录、服务沟通记录等互动信息，无论其载体为电子数据还是纸质档案。

        二、最小知悉。本人只在工作职责范围内、为经批准的目的查看和使用客户信息，不查看与本人工作无关的客户信息，不超出授权范围使用客户信息。

        三、禁止行为。本人不泄露、出售、购买、非法提供或非法利用客户信息；不私自复制客户信息，不将客户信息或其载体带离公司办公场所；不使用私人邮箱、社交软件等未经授权的工具传输客户信息；不在公共场所或公共网络环境下处理客户信息；不在社交媒体或其他公开场合透露客户信息。

        四、复制与对外提供。打印、导出、借阅客户信息须事先经审批并登记；对外提供客户信息须经公司批准，并确认接收方已签署保密协议；复制件用毕按规定归还或销毁。

        五、存储与销毁。本人按公司规定的安全方式存储客户信息；不再需要的客户信息按规定在监督下及时销毁并登记。

        六、报告义务。本人发现客户信息泄露、可能泄露或违反保密制度的情况时，立即向部门负责人或保密工作小组报告，并配合调查和处置。

        七、培训与检查。本人参加公司组织的保密培训和考核，接受公司对本人使用客户信息情况的审计和检查，并知悉本人对客户信息的每一次操作均被记录。

        八、离职。本人离职时，按规定交接和归还全部客户信息及其载体，不保留任何副本；离职后本协议规定的保密义务继续有效，直至相关信息依法公开为止。

        九、违约责任。本人违反本协议的，愿意接受公司依制度给予的警告、通报批评、经济处罚、解除劳动合同等处理；给公司或客户造成损失的，依法承担赔偿责任；构成犯罪的，依法承担刑事责任。

        本人已阅读并理解上述全部内容，自愿遵守。
        """;
}
