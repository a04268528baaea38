using Custos.Kernel.Classification;
using Custos.Kernel.Recognisers;

namespace Custos.Features.Imports;

/// <summary>
/// Suggests which field each column holds: first by its header (Chinese and English names in use), then by
/// what the recognisers find in sample values (an ID number, a mobile, a card…).
/// </summary>
public static class ColumnMapping
{
    private static readonly (string Field, string[] Names)[] Synonyms =
    [
        (FieldCatalogue.Name, ["姓名", "名称", "客户名称", "客户姓名", "客户", "name", "customer", "customername", "fullname"]),
        (FieldCatalogue.IdNumber, ["身份证", "身份证号", "身份证号码", "证件号", "证件号码", "idnumber", "idno", "id", "identity"]),
        (FieldCatalogue.Mobile, ["手机", "手机号", "手机号码", "移动电话", "联系电话", "电话", "mobile", "phone", "cellphone", "tel"]),
        (FieldCatalogue.Landline, ["固定电话", "座机", "办公电话", "landline"]),
        (FieldCatalogue.Email, ["邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail"]),
        (FieldCatalogue.Address, ["地址", "住址", "联系地址", "家庭地址", "address"]),
        (FieldCatalogue.Employer, ["工作单位", "单位", "公司", "employer", "company"]),
        (FieldCatalogue.BankCard, ["银行卡", "银行卡号", "卡号", "bankcard", "card", "cardnumber"]),
        (FieldCatalogue.BankAccount, ["银行账户", "账号", "银行账号", "bankaccount", "account"]),
        (FieldCatalogue.Income, ["收入", "月收入", "年收入", "income"]),
        (FieldCatalogue.Assets, ["资产", "资产状况", "assets"]),
        (FieldCatalogue.Investments, ["投资", "理财", "投资理财", "investments"]),
        (FieldCatalogue.Orders, ["订单", "购买记录", "orders"]),
        (FieldCatalogue.Complaints, ["投诉", "投诉记录", "complaints"]),
        (FieldCatalogue.ServiceNotes, ["服务记录", "通话记录", "备注", "notes"]),
        (FieldCatalogue.Preferences, ["偏好", "喜好", "习惯", "preferences"]),
        (FieldCatalogue.CreditCode, ["统一社会信用代码", "信用代码", "creditcode", "uscc"]),
        (FieldCatalogue.LegalRepresentative, ["法定代表人", "法人", "legalrepresentative"]),
        (FieldCatalogue.BusinessScope, ["经营范围", "businessscope"]),
    ];

    public static Dictionary<int, string> Suggest(IReadOnlyList<string> headers, IReadOnlyList<string?[]> samples)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(samples);
        var mapping = new Dictionary<int, string>();
        for (var i = 0; i < headers.Count; i++)
        {
            var key = Key(headers[i]);
            var byName = Synonyms.FirstOrDefault(s => s.Names.Contains(key, StringComparer.Ordinal)).Field;
            var field = byName ?? ByContent(samples.Select(r => i < r.Length ? r[i] : null).Where(v => v is not null).Cast<string>().ToList());
            if (field is not null && !mapping.ContainsValue(field))
            {
                mapping[i] = field;
            }
        }

        return mapping;
    }

    /// <summary>A mapping given by header names or 1-based column numbers (from <c>--mapping FILE</c> or the upload page).</summary>
    public static Dictionary<int, string> Resolve(IReadOnlyList<string> headers, IReadOnlyDictionary<string, string> given)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(given);
        var mapping = new Dictionary<int, string>();
        foreach (var (column, field) in given)
        {
            if (string.IsNullOrWhiteSpace(field))
            {
                continue;
            }

            if (FieldCatalogue.Default.Find(field) is null)
            {
                throw Hosting.CustosException.Invalid("UnknownField", field);
            }

            var index = int.TryParse(column, out var number) && number >= 1 && number <= headers.Count
                ? number - 1
                : headers.ToList().FindIndex(h => string.Equals(h, column.Trim(), StringComparison.Ordinal));
            if (index < 0)
            {
                throw Hosting.CustosException.Invalid("ImportNoSuchColumn", column);
            }

            if (mapping.ContainsValue(field))
            {
                throw Hosting.CustosException.Invalid("ImportFieldTwice", new Hosting.TextKey("Field." + field));
            }

            mapping[index] = field;
        }

        return mapping;
    }

    private static string Key(string header) =>
        new([.. Normalise.Width(header).ToLowerInvariant().Where(c => !char.IsWhiteSpace(c) && c is not ('_' or '-' or ':' or '：'))]);

    private static string? ByContent(List<string> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        string? Most(Func<string, bool> test, string field) => values.Count(test) * 10 >= values.Count * 8 ? field : null;
        return Most(v => ResidentIdNumber.Validate(Normalise.Compact(v), DateOnly.MaxValue) == ResidentIdCheck.Valid, FieldCatalogue.IdNumber)
            ?? Most(v => MobileNumber.IsValid(Normalise.Phone(v)), FieldCatalogue.Mobile)
            ?? Most(v => ContactFormats.IsEmail(v.Trim()), FieldCatalogue.Email)
            ?? Most(v => BankCard.IsValid(Normalise.Compact(v)), FieldCatalogue.BankCard)
            ?? Most(v => UnifiedSocialCreditCode.IsValid(Normalise.Compact(v)), FieldCatalogue.CreditCode)
            ?? Most(v => ContactFormats.IsLandline(v.Trim()), FieldCatalogue.Landline);
    }
}
