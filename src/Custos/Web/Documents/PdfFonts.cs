using System.Buffers.Binary;
using Custos.Hosting;
using PdfSharp.Fonts;

namespace Custos.Web.Documents;

/// <summary>
/// The one font every PDF Custos writes uses (prints, registers, reports): a TrueType font with both Chinese and
/// Latin glyphs, from the settings (<c>Custos:Copies:PrintFont</c>) or where Debian installs one.
/// </summary>
public static class PdfFonts
{
    public const string Family = "CustosPrint";

    /// <summary>
    /// Where Debian puts TrueType fonts with both Chinese and Latin glyphs (packages fonts-wqy-microhei,
    /// fonts-wqy-zenhei). Droid Sans Fallback has no Latin letters or digits, so it is not one of them.
    /// </summary>
    private static readonly string[] KnownFonts =
    [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    ];

    private static readonly Lock Gate = new();
    private static FontFile? resolver;

    /// <summary>Makes the font available to PDFsharp; a clear error when none is there, rather than boxes on paper.</summary>
    public static void Use(string? configured)
    {
        var path = !string.IsNullOrWhiteSpace(configured) ? configured : KnownFonts.FirstOrDefault(File.Exists);
        if (path is null || !File.Exists(path))
        {
            throw CustosException.Conflict("PrintFontMissing");
        }

        lock (Gate)
        {
            // PDFsharp allows one resolver per process: the first font found is kept; a changed setting takes effect on restart.
            if (resolver is null)
            {
                resolver = new FontFile(path);
                GlobalFontSettings.FontResolver = resolver;
            }
        }
    }

    /// <summary>Serves the one configured font file for every style PDFsharp asks for.</summary>
    private sealed class FontFile(string path) : IFontResolver
    {
        private byte[]? bytes;

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => new(Family);

        public byte[]? GetFont(string faceName) => bytes ??= FirstFace(File.ReadAllBytes(path));
    }

    /// <summary>
    /// PDFsharp reads single fonts only: from a TrueType collection (.ttc) take the first face as a standalone
    /// font, its table directory rewritten to point at the copied tables (OpenType spec, "Font Collections").
    /// </summary>
    internal static byte[] FirstFace(byte[] file)
    {
        if (file.Length < 16 || file[0] != 't' || file[1] != 't' || file[2] != 'c' || file[3] != 'f')
        {
            return file;
        }

        var face = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(12));
        var tables = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(face + 4));
        var directory = 12 + (16 * tables);
        var records = Enumerable.Range(0, tables).Select(i => face + 12 + (16 * i)).ToList();
        var size = directory + records.Sum(r => (int)((BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(r + 12)) + 3) & ~3u));
        var font = new byte[size];
        file.AsSpan(face, directory).CopyTo(font);
        var at = directory;
        for (var i = 0; i < tables; i++)
        {
            var offset = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(records[i] + 8));
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(records[i] + 12));
            file.AsSpan(offset, length).CopyTo(font.AsSpan(at));
            BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(12 + (16 * i) + 8), (uint)at);
            at += (length + 3) & ~3;
        }

        return font;
    }
}
