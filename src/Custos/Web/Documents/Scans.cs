namespace Custos.Web.Documents;

/// <summary>Scans of signed paper (agreements): PDF, PNG or JPEG, told by their first bytes, never by their name.</summary>
public static class Scans
{
    public const int MaxBytes = 10 * 1024 * 1024;

    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G'];

    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];

    /// <summary>The scan's content type, or null when it is none of PDF, PNG, JPEG.</summary>
    public static string? TypeOf(ReadOnlySpan<byte> file) =>
        file.StartsWith("%PDF-"u8) ? "application/pdf"
        : file.StartsWith(Png) ? "image/png"
        : file.StartsWith(Jpeg) ? "image/jpeg"
        : null;

    public static string Extension(string? contentType) => contentType switch { "application/pdf" => "pdf", "image/png" => "png", _ => "jpg" };
}
