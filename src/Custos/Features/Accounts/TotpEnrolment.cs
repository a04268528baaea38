using System.Globalization;
using System.Text;
using QRCoder;

namespace Custos.Features.Accounts;

/// <summary>What an authenticator app needs to enrol: the otpauth URI as a QR code, and the key to type in.</summary>
public static class TotpEnrolment
{
    public const string Issuer = "Custos";

    public static string Uri(string userName, string key) =>
        string.Create(CultureInfo.InvariantCulture,
            $"otpauth://totp/{System.Uri.EscapeDataString(Issuer)}:{System.Uri.EscapeDataString(userName)}?secret={key}&issuer={System.Uri.EscapeDataString(Issuer)}&digits=6&period=30");

    /// <summary>A PNG data URI (allowed by the content security policy; no script involved).</summary>
    public static string QrDataUri(string otpauthUri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(otpauthUri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(6);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }

    /// <summary>The key in groups of four, easier to type.</summary>
    public static string Format(string key)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < key.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                sb.Append(' ');
            }

            sb.Append(char.ToLowerInvariant(key[i]));
        }

        return sb.ToString();
    }
}
