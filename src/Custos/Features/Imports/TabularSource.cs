using System.IO.Compression;
using System.Text;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;
using Sylvan.Data.Csv;

namespace Custos.Features.Imports;

/// <summary>What an import file may hold at most: refused early, with a clear message, before it is expanded or read whole.</summary>
/// <param name="MaxRows">Data rows (an XLSX sheet holds at most 1,048,576 rows).</param>
/// <param name="MaxColumns">Columns of the header row.</param>
/// <param name="MaxRowCharacters">Characters in one CSV row: a row longer than this cannot be read into memory and is refused at its row.</param>
/// <param name="MaxUncompressedBytes">An XLSX file's parts expanded (a 1 MB zip bomb can expand to gigabytes).</param>
/// <param name="MaxSharedStringsBytes">An XLSX file's table of texts expanded: it is held in memory while the rows are read.</param>
public sealed record ImportLimits(
    long MaxRows = 2_000_000, int MaxColumns = 200, long MaxUncompressedBytes = 1L << 30, long MaxSharedStringsBytes = 256L << 20,
    int MaxRowCharacters = 16 << 20)
{
    public static readonly ImportLimits Default = new();
}

/// <summary>The encodings a person may choose for a CSV file when the guess is not the right one.</summary>
public static class ImportEncodings
{
    public static readonly IReadOnlyList<string> Names = ["utf-8", "gb18030", "utf-16le", "utf-16be"];

    /// <summary>The encoding for a name a person gives (<c>gbk</c> and <c>gb2312</c> are read as GB 18030, their superset), or an error naming the choices.</summary>
    public static Encoding Resolve(string name)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return (name ?? "").Trim().ToLowerInvariant() switch
        {
            "utf-8" or "utf8" => new UTF8Encoding(false),
            "gb18030" or "gbk" or "gb2312" or "cp936" => Encoding.GetEncoding("GB18030"),
            "utf-16le" or "utf-16" or "unicode" => Encoding.Unicode,
            "utf-16be" => Encoding.BigEndianUnicode,
            _ => throw Hosting.CustosException.Invalid("ImportEncodingUnknown", string.Join(", ", Names)),
        };
    }
}

/// <summary>A file of rows read one at a time (bounded memory): CSV in UTF-8 (with or without BOM), UTF-16 or GBK, or XLSX.</summary>
public abstract class TabularSource : IDisposable
{
    /// <summary>How many bytes of a CSV file are looked at to tell its encoding.</summary>
    public const int SampleBytes = 65536;

    /// <summary>How far the look goes when the first bytes are all ASCII.</summary>
    public const int MaxSampleBytes = 4 << 20;

    public abstract IReadOnlyList<string> Headers { get; }

    /// <summary>The 1-based line of the current row in the file as a person would count it (the header is row 1).</summary>
    public long Row { get; protected set; } = 1;

    /// <summary>The encoding read with (<c>xlsx</c> for a workbook).</summary>
    public abstract string EncodingName { get; }

    /// <summary>Whether the encoding was guessed without certainty (a file that is not UTF-8 and has no byte-order mark): the preview says so and offers the choice.</summary>
    public virtual bool EncodingGuessed => false;

    /// <summary>Reads the next row; cells beyond the header width are ignored, missing ones are null.</summary>
    public abstract bool Read(out string?[] cells);

    public abstract void Dispose();

    /// <param name="encoding">For CSV: the encoding chosen by the person; null to detect it.</param>
    /// <param name="sampleBytes">How much of a CSV file the detection looks at (tests vary it so a character straddles every boundary).</param>
    /// <param name="lenient">
    /// For a preview only: bytes the encoding cannot decode show as U+FFFD, so that the person sees a wrong choice and
    /// changes it. An import is never lenient: such bytes stop it at their row.
    /// </param>
    public static TabularSource Open(Stream stream, string fileName, string? encoding = null, ImportLimits? limits = null, int sampleBytes = SampleBytes, bool lenient = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= ImportLimits.Default;
        return Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".xlsx" => new XlsxSource(stream, limits),
            ".csv" or ".txt" or ".tsv" => new CsvSource(stream, encoding is null ? null : ImportEncodings.Resolve(encoding), limits, sampleBytes, lenient),
            _ => throw Hosting.CustosException.Invalid("ImportFileType"),
        };
    }

    /// <summary>
    /// The encoding of a CSV file from its first bytes: a byte-order mark says it; otherwise bytes that are valid UTF-8
    /// are UTF-8 — a multi-byte character cut at the end of the sample is not held against it — and pure ASCII is
    /// UTF-8 too (it reads the same in every encoding offered). Anything else is guessed as GB 18030 (a superset of GBK
    /// and GB 2312, what Excel and Notepad save on Chinese Windows), and marked as a guess.
    /// </summary>
    /// <param name="complete">The sample is the whole file: a sequence cut at its end is then an error.</param>
    public static (Encoding Encoding, bool Guessed) DetectEncoding(ReadOnlySpan<byte> head, bool complete)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return (new UTF8Encoding(false), false);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return (Encoding.Unicode, false);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (Encoding.BigEndianUnicode, false);
        }

        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        try
        {
            // flush: false keeps an incomplete sequence at the end pending instead of calling it invalid.
            decoder.GetCharCount(head, flush: complete);
            return (new UTF8Encoding(false), false);
        }
        catch (DecoderFallbackException)
        {
            return (ImportEncodings.Resolve("gb18030"), true);
        }
    }

    private sealed class CsvSource : TabularSource
    {
        private readonly StreamReader text;
        private readonly CsvDataReader reader;
        private readonly string[] headers;
        private readonly ImportLimits limits;

        public CsvSource(Stream stream, Encoding? chosen, ImportLimits limits, int sampleBytes, bool lenient)
        {
            this.limits = limits;
            var buffered = new BufferedStream(stream, 65536);
            var head = new byte[Math.Max(4, sampleBytes)];
            var read = buffered.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            // Plain ASCII says nothing about the encoding: look further, up to a few megabytes, for the first other byte.
            while (read == head.Length && head.Length < MaxSampleBytes && head.AsSpan(0, read).IndexOfAnyExceptInRange((byte)0, (byte)0x7F) < 0)
            {
                Array.Resize(ref head, head.Length * 2);
                read += buffered.ReadAtLeast(head.AsSpan(read), head.Length - read, throwOnEndOfStream: false);
            }

            Encoding encoding;
            if (chosen is null)
            {
                var complete = read < head.Length;
                (encoding, EncodingGuessed) = DetectEncoding(head.AsSpan(0, read), complete);
                // ASCII all through a long sample: UTF-8 reads it right, but what follows may be otherwise.
                EncodingGuessed |= !complete && head.AsSpan(0, read).IndexOfAnyExceptInRange((byte)0, (byte)0x7F) < 0;
            }
            else
            {
                encoding = chosen;
            }

            EncodingName = encoding.WebName;
            var whole = new ConcatenatedStream(head.AsMemory(0, read), buffered);
            // Strict all through the file, not only in the sample: bytes that are not of the encoding stop the import at
            // their row instead of becoming U+FFFD in a stored value. A byte-order mark is skipped, never decoded.
            text = new StreamReader(whole, lenient ? encoding : Strict(encoding), detectEncodingFromByteOrderMarks: lenient, 65536);
            try
            {
                reader = CsvDataReader.Create(text, new CsvDataReaderOptions
                {
                    HasHeaders = true,
                    // A row may be long (a pasted note, a cell of megabytes that validation then reports at its column), but not
                    // without bound: past this it is refused at its row.
                    MaxBufferSize = Math.Max(65536, limits.MaxRowCharacters),
                });
            }
            catch (CsvRecordTooLargeException)
            {
                // The reader looks at the first data row while it opens: the header ended within the sample, so the row is the next one.
                throw Hosting.CustosException.Invalid("ImportRowTooLarge", head.AsSpan(0, read).IndexOf((byte)'\n') >= 0 ? 2 : 1);
            }
            catch (Exception e) when (e is CsvFormatException or InvalidDataException)
            {
                throw Hosting.CustosException.Invalid("ImportMalformed", 1);
            }
            catch (DecoderFallbackException)
            {
                throw Hosting.CustosException.Invalid("ImportNotInEncoding", 1, EncodingName);
            }

            if (reader.FieldCount > limits.MaxColumns)
            {
                throw Hosting.CustosException.Invalid("ImportTooManyColumns", reader.FieldCount, limits.MaxColumns);
            }

            headers = [.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetName(i).Trim())];
        }

        public override IReadOnlyList<string> Headers => headers;

        public override string EncodingName { get; }

        public override bool EncodingGuessed { get; }

        /// <summary>The encoding that throws on bytes it cannot decode, with its byte-order mark (which the reader then skips).</summary>
        private static Encoding Strict(Encoding encoding) => encoding.CodePage switch
        {
            65001 => new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true),
            1200 => new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true),
            1201 => new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true),
            _ => Encoding.GetEncoding(encoding.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback),
        };

        public override bool Read(out string?[] cells)
        {
            try
            {
                if (!reader.Read())
                {
                    cells = [];
                    return false;
                }
            }
            catch (CsvRecordTooLargeException)
            {
                throw Hosting.CustosException.Invalid("ImportRowTooLarge", Row + 1);
            }
            catch (CsvFormatException)
            {
                throw Hosting.CustosException.Invalid("ImportMalformed", Row + 1);
            }
            catch (DecoderFallbackException)
            {
                // The reader decodes ahead in blocks: the bytes are at this row or after it.
                throw Hosting.CustosException.Invalid("ImportNotInEncoding", Row + 1, EncodingName);
            }

            Row++;
            if (Row - 1 > limits.MaxRows)
            {
                throw Hosting.CustosException.Invalid("ImportTooManyRows", limits.MaxRows);
            }

            cells = new string?[headers.Length];
            for (var i = 0; i < headers.Length && i < reader.RowFieldCount; i++)
            {
                var value = reader.GetString(i);
                cells[i] = value.Length == 0 ? null : value;
            }

            return true;
        }

        public override void Dispose()
        {
            reader.Dispose();
            text.Dispose();
        }
    }

    private sealed class XlsxSource : TabularSource
    {
        private readonly IEnumerator<IDictionary<string, object>> rows;
        private readonly string[] columns;
        private readonly string[] headers;
        private readonly ImportLimits limits;

        public XlsxSource(Stream stream, ImportLimits limits)
        {
            this.limits = limits;
            CheckExpandedSize(stream, limits);
            try
            {
                // No shared-string cache on disk: MiniExcel would write every cell to a file in the system's temporary folder.
                var configuration = new OpenXmlConfiguration { EnableSharedStringCache = false };
                rows = MiniExcel.Query(stream, useHeaderRow: false, excelType: ExcelType.XLSX, configuration: configuration)
                    .Cast<IDictionary<string, object>>().GetEnumerator();
                if (!rows.MoveNext())
                {
                    throw Hosting.CustosException.Invalid("ImportEmpty");
                }
            }
            catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException or InvalidOperationException or KeyNotFoundException or NullReferenceException or ArgumentException or FormatException or IndexOutOfRangeException)
            {
                // A zip that is no workbook, a workbook without a sheet, broken XML: one clear refusal, never a crash.
                throw Hosting.CustosException.Invalid("ImportNotAWorkbook");
            }

            var first = rows.Current;
            columns = [.. first.Keys];
            if (columns.Length > limits.MaxColumns)
            {
                throw Hosting.CustosException.Invalid("ImportTooManyColumns", columns.Length, limits.MaxColumns);
            }

            headers = [.. columns.Select(c => Convert.ToString(first[c], System.Globalization.CultureInfo.InvariantCulture)?.Trim() ?? "")];
        }

        public override IReadOnlyList<string> Headers => headers;

        public override string EncodingName => "xlsx";

        public override bool Read(out string?[] cells)
        {
            try
            {
                if (!rows.MoveNext())
                {
                    cells = [];
                    return false;
                }
            }
            catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException or InvalidOperationException or FormatException or IndexOutOfRangeException)
            {
                throw Hosting.CustosException.Invalid("ImportMalformed", Row + 1);
            }

            Row++;
            if (Row - 1 > limits.MaxRows)
            {
                throw Hosting.CustosException.Invalid("ImportTooManyRows", limits.MaxRows);
            }

            var row = rows.Current;
            cells = new string?[columns.Length];
            for (var i = 0; i < columns.Length; i++)
            {
                var value = row.TryGetValue(columns[i], out var v) ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null;
                cells[i] = string.IsNullOrEmpty(value) ? null : value;
            }

            return true;
        }

        public override void Dispose() => rows.Dispose();

        /// <summary>
        /// Expands every part of the workbook once, counting (not keeping) the bytes, and refuses the file when they
        /// pass the limit — whatever sizes the zip's headers claim. Nothing is written anywhere.
        /// </summary>
        private static void CheckExpandedSize(Stream stream, ImportLimits limits)
        {
            if (!stream.CanSeek)
            {
                throw new InvalidOperationException("An XLSX file is read from a seekable stream.");
            }

            var start = stream.Position;
            long total = 0;
            var buffer = new byte[81920];
            try
            {
                using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
                if (zip.GetEntry("xl/workbook.xml") is null)
                {
                    throw Hosting.CustosException.Invalid("ImportNotAWorkbook");
                }

                foreach (var entry in zip.Entries)
                {
                    var strings = entry.FullName.Equals("xl/sharedStrings.xml", StringComparison.OrdinalIgnoreCase);
                    var allowed = strings ? Math.Min(limits.MaxSharedStringsBytes, limits.MaxUncompressedBytes - total) : limits.MaxUncompressedBytes - total;
                    if (entry.Length > allowed)
                    {
                        throw Hosting.CustosException.Invalid("ImportTooLargeExpanded", limits.MaxUncompressedBytes / 1024 / 1024);
                    }

                    using var part = entry.Open();
                    long expanded = 0;
                    int n;
                    while ((n = part.Read(buffer)) > 0)
                    {
                        expanded += n;
                        if (expanded > allowed)
                        {
                            throw Hosting.CustosException.Invalid("ImportTooLargeExpanded", limits.MaxUncompressedBytes / 1024 / 1024);
                        }
                    }

                    total += expanded;
                }
            }
            catch (InvalidDataException)
            {
                throw Hosting.CustosException.Invalid("ImportNotAWorkbook");
            }

            stream.Position = start;
        }
    }

    /// <summary>The bytes already sniffed, then the rest of the stream.</summary>
    private sealed class ConcatenatedStream(ReadOnlyMemory<byte> head, Stream tail) : Stream
    {
        private ReadOnlyMemory<byte> head = head;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!head.IsEmpty)
            {
                var n = Math.Min(buffer.Length, head.Length);
                head.Span[..n].CopyTo(buffer);
                head = head[n..];
                return n;
            }

            return tail.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                tail.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
