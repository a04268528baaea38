using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Custos.Tests.Copies;

/// <summary>Opens an export package as its recipient would (OpenPGP, RFC 4880), with BouncyCastle's reader rather than the product's code.</summary>
internal static class OpenPgpPackage
{
    /// <summary>The clear bytes; a wrong passphrase or a changed byte fails.</summary>
    public static byte[] Open(byte[] package, string passphrase)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(passphrase);
        var factory = new PgpObjectFactory(PgpUtilities.GetDecoderStream(new MemoryStream(package)));
        var list = factory.NextPgpObject() as PgpEncryptedDataList ?? throw new PgpException("not an encrypted package");
        var sealedData = list.GetEncryptedDataObjects().OfType<PgpPbeEncryptedData>().Single();
        using var stream = sealedData.GetDataStreamUtf8(passphrase.ToCharArray());
        var inner = new PgpObjectFactory(stream).NextPgpObject();
        if (inner is PgpCompressedData compressed)
        {
            inner = new PgpObjectFactory(compressed.GetDataStream()).NextPgpObject();
        }

        var literal = inner as PgpLiteralData ?? throw new PgpException("no data in the package");
        using var result = new MemoryStream();
        literal.GetInputStream().CopyTo(result);
        if (!sealedData.Verify())
        {
            throw new PgpException("the package was changed");
        }

        return result.ToArray();
    }
}
