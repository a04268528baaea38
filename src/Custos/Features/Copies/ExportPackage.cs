using System.Security.Cryptography;
using MiniExcelLibs;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;

namespace Custos.Features.Copies;

/// <summary>The file format inside an export package. A contract: a subject request chooses it for the customer's own copy.</summary>
[Contract]
public enum ExportFormat
{
    Csv = 0,
    Xlsx = 1,
}

/// <summary>
/// An export as it leaves (EXP-1, EXP-2): a CSV or XLSX table sealed as OpenPGP symmetrically encrypted data
/// (RFC 4880: AES-256, integrity-protected, iterated-and-salted S2K over the caller's passphrase), which
/// <c>gpg --decrypt</c> opens on any machine. Custos never keeps the passphrase or the clear table.
/// </summary>
public static class ExportPackage
{
    public static string Extension(ExportFormat format) => format == ExportFormat.Xlsx ? "xlsx" : "csv";

    /// <summary>Writes the table and seals it; the clear bytes are wiped before returning.</summary>
    public static byte[] Seal(IReadOnlyList<string> header, IReadOnlyList<string[]> rows, ExportFormat format, string passphrase, string innerName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(passphrase);
        using var clear = new MemoryStream();
        if (format == ExportFormat.Csv)
        {
            // UTF-8 with a byte-order mark (Excel reads it as UTF-8), every cell quoted and formula-safe (CsvText).
            using var writer = new StreamWriter(clear, Web.CsvText.Encoding, 65536, leaveOpen: true);
            writer.Write(Web.CsvText.Line(header));
            foreach (var row in rows)
            {
                writer.Write(Web.CsvText.Line(row));
            }
        }
        else
        {
            // Cells as text (t="str" without a formula): "=1+1" shows as the text it is, with no apostrophe added.
            var table = rows.Select(row =>
            {
                IDictionary<string, object?> cells = new Dictionary<string, object?>(header.Count, StringComparer.Ordinal);
                for (var i = 0; i < header.Count; i++)
                {
                    cells[header[i]] = row[i];
                }

                return cells;
            });
            MiniExcel.SaveAs(clear, table, printHeader: true, excelType: ExcelType.XLSX);
        }

        try
        {
            return Encrypt(clear.GetBuffer().AsSpan(0, (int)clear.Length), passphrase, innerName, now);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clear.GetBuffer());
        }
    }

    private static byte[] Encrypt(ReadOnlySpan<byte> clear, string passphrase, string innerName, DateTimeOffset now)
    {
        using var output = new MemoryStream();
        var generator = new PgpEncryptedDataGenerator(SymmetricKeyAlgorithmTag.Aes256, true, new SecureRandom());
        generator.AddMethodUtf8(passphrase.ToCharArray(), HashAlgorithmTag.Sha256); // UTF-8, as gpg reads it
        using (var encrypted = generator.Open(output, new byte[1 << 16]))
        {
            var compressor = new PgpCompressedDataGenerator(CompressionAlgorithmTag.Zip);
            using var compressed = compressor.Open(encrypted);
            var literal = new PgpLiteralDataGenerator();
            using var data = literal.Open(compressed, PgpLiteralData.Binary, innerName, now.UtcDateTime, new byte[1 << 16]);
            data.Write(clear);
        }

        return output.ToArray();
    }
}
