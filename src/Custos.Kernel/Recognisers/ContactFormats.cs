using System.Text.RegularExpressions;

namespace Custos.Kernel.Recognisers;

/// <summary>Landline, e-mail and passport formats.</summary>
public static partial class ContactFormats
{
    /// <summary>Mainland landline: area code 0 + 2–3 digits, then a 7–8 digit number (e.g. <c>010-62345678</c>, <c>0755-12345678</c>).</summary>
    public static bool IsLandline(string? value) => value is not null && Landline().IsMatch(value);

    /// <summary>A practical e-mail check: one @, a dotted domain, no spaces; at most 254 characters.</summary>
    public static bool IsEmail(string? value) => value is { Length: <= 254 } && Email().IsMatch(value);

    /// <summary>
    /// Passport numbers: PRC ordinary passports (E or G + 8 digits, or E + letter + 7 digits), and the
    /// ICAO 9303 general form of 6–9 letters and digits for foreign passports.
    /// </summary>
    public static bool IsPassport(string? value) => value is not null && (ChinesePassport().IsMatch(value) || IcaoPassport().IsMatch(value));

    /// <summary>Mainland travel permit for Hong Kong and Macau residents (H/M + 8 digits) or the Taiwan permit (8 digits).</summary>
    public static bool IsHongKongMacaoTaiwanPermit(string? value) => value is not null && Permit().IsMatch(value);

    [GeneratedRegex(@"^0\d{2,3}-?[2-9]\d{6,7}$")]
    private static partial Regex Landline();

    [GeneratedRegex(@"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")]
    private static partial Regex Email();

    [GeneratedRegex(@"^(E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{8})$")]
    private static partial Regex ChinesePassport();

    [GeneratedRegex(@"^(?=.*\d)[A-Z0-9]{6,9}$")]
    private static partial Regex IcaoPassport();

    [GeneratedRegex(@"^([HM]\d{8}|\d{8})$")]
    private static partial Regex Permit();
}
