using Custos.Kernel.Recognisers;

namespace Custos.Kernel.Tests.Recognisers;

/// <summary>Published valid and invalid examples for every recogniser.</summary>
public sealed class OtherRecogniserTests
{
    [Theory]
    [InlineData("4111111111111111", true)]     // Visa test number
    [InlineData("5500000000000004", true)]     // Mastercard test number
    [InlineData("6212345678901232", true)]     // UnionPay-style 16 digits, Luhn-valid
    [InlineData("4111111111111112", false)]    // wrong check digit
    [InlineData("41111111111", false)]         // 11 digits: too short
    [InlineData("41111111111111111111", false)] // 20 digits: too long
    [InlineData("4111-1111-1111-1111", false)]  // not normalised
    public void Bank_cards(string value, bool valid) => Assert.Equal(valid, BankCard.IsValid(value));

    [Theory]
    [InlineData("91350100M000100Y43", true)]  // published example of GB 32100
    [InlineData("91110000802100433B", true)]
    [InlineData("91350100M000100Y44", false)]
    [InlineData("91350100M000100Y4", false)]
    [InlineData("91350100I000100Y43", false)] // I is not in the alphabet
    public void Unified_social_credit_codes(string value, bool valid) => Assert.Equal(valid, UnifiedSocialCreditCode.IsValid(value));

    [Theory]
    [InlineData("010-62345678", true)]
    [InlineData("0755-23456789", true)]
    [InlineData("0755-12345678", false)] // local numbers never start with 0 or 1
    [InlineData("02188886666", true)]
    [InlineData("62345678", false)]
    [InlineData("010-1234567", false)]
    public void Landlines(string value, bool valid) => Assert.Equal(valid, ContactFormats.IsLandline(value));

    [Theory]
    [InlineData("zhang.wei@example.com", true)]
    [InlineData("a@b.cn", true)]
    [InlineData("no-at.example.com", false)]
    [InlineData("two@@example.com", false)]
    [InlineData("space @example.com", false)]
    [InlineData("nodot@example", false)]
    public void Emails(string value, bool valid) => Assert.Equal(valid, ContactFormats.IsEmail(value));

    [Theory]
    [InlineData("E12345678", true)]
    [InlineData("EA1234567", true)]
    [InlineData("G12345678", true)]
    [InlineData("C01X00T47", true)] // ICAO 9303 specimen document number
    [InlineData("E1234567", true)]   // 8 characters: a valid ICAO form
    [InlineData("ABCDEFGH", false)]  // no digit
    [InlineData("E123", false)]
    public void Passports(string value, bool valid) => Assert.Equal(valid, ContactFormats.IsPassport(value));

    [Theory]
    [InlineData("H12345678", true)]
    [InlineData("M87654321", true)]
    [InlineData("12345678", true)]
    [InlineData("X12345678", false)]
    public void Hong_kong_macao_taiwan_permits(string value, bool valid) => Assert.Equal(valid, ContactFormats.IsHongKongMacaoTaiwanPermit(value));
}
