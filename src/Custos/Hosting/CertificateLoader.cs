using System.Security.Cryptography.X509Certificates;

namespace Custos.Hosting;

/// <summary>Loads the HTTPS certificate: a PKCS#12 file, or a PEM certificate with its key beside it (<c>.key</c>).</summary>
internal static class CertificateLoader
{
    public static X509Certificate2 Load(string path, string? password)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("The HTTPS certificate file does not exist.", path);
        }

        if (path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".crt", StringComparison.OrdinalIgnoreCase))
        {
            var key = Path.ChangeExtension(path, ".key");
            return X509Certificate2.CreateFromPemFile(path, File.Exists(key) ? key : null);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }
}
