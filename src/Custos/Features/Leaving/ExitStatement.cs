using System.Security.Cryptography;
using System.Text;

namespace Custos.Features.Leaving;

/// <summary>
/// The statement a leaving person signs (PPL-1, PPL-3): everything handed back, no copy kept, the duties of the
/// confidentiality agreement continuing after they go. Its SHA-256 is kept with the signature.
/// </summary>
internal static class ExitStatement
{
    public const string Title = "离职保密承诺书";

    public const string Body = """
        本人即将离开公司。本人确认并承诺：

        一、本人已按交接清单将工作中接触的客户信息、所参与的项目和待处理的审批事项移交给指定的接替人，并经部门负责人确认。

        二、本人已归还全部客户信息打印件、借阅的客户档案及其他载体，未以任何形式保留客户信息的副本、照片、摘录或电子文件。

        三、离职后，本人在《客户信息保密协议》中承担的保密义务继续有效，直至相关信息依法公开为止；本人不以任何方式泄露、使用或允许他人使用在公司工作期间知悉的客户信息。

        四、本人知悉违反上述承诺须承担相应的法律责任，公司有权依法追究并要求赔偿损失。
        """;

    public static string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Title + "\n" + Body)));
}
