using System.Xml.Linq;
using Custos.Data;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Keys;

/// <summary>
/// The web's data-protection keys (which protect session cookies and anti-forgery tokens) are kept in the
/// database so that every node shares them; they are sealed there by the installation's secret key, under the
/// key-encryption key (key file or HSM), like every other secret (SEC-1).
/// </summary>
internal sealed class SealedXmlEncryptor(KeyRing keys) : IXmlEncryptor
{
    public const string Purpose = "data-protection-key";
    public const string Element = "custosSealedKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var sealedText = keys.Secrets.Protect(Purpose, plaintextElement.ToString(SaveOptions.DisableFormatting));
        var element = new XElement(Element,
            new XComment(" Sealed by Custos under the key-encryption key (key file or HSM). "),
            new XElement("value", sealedText));
        return new EncryptedXmlInfo(element, typeof(SealedXmlDecryptor));
    }

    /// <summary>
    /// Removes data-protection keys an earlier version stored in clear. Run at start-up, before any key is used:
    /// a new, sealed key is made on first use; sessions signed under the old key sign in again.
    /// </summary>
    public static Task<int> RemoveUnsealedAsync(CustosDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.DataProtectionKeys.Where(k => k.Xml != null && !k.Xml.Contains(Element)).ExecuteDeleteAsync(ct);
    }
}

/// <summary>Opens a key sealed by <see cref="SealedXmlEncryptor"/>; data protection creates it with the service provider.</summary>
internal sealed class SealedXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var value = encryptedElement.Element("value")?.Value ?? throw new InvalidOperationException("A sealed data-protection key has no value.");
        return XElement.Parse(services.GetRequiredService<KeyRing>().Secrets.Unprotect(SealedXmlEncryptor.Purpose, value));
    }
}
