using System.Text;
using MiniExcelLibs;
using Sylvan.Data.Csv;

namespace Custos.Features.Imports;

/// <summary>A file of rows read one at a time (bounded memory): CSV in UTF-8 (with or without BOM), UTF-16 or GBK, or XLSX.</summary>
public abstract class TabularSource : IDisposable
{
    public abstract IReadOnlyList<string> Headers { get; }

    /// <summary>The 1-based line of the current row in the file as a person would count it (the header is row 1).</summary>
    public long Row { get; protected set; } = 1;

    public abstract string EncodingName { get; }

    /// <summary>Reads the next row; cells beyond the header width are ignored, missing ones are null.</summary>
    public abstract bool Read(out string?[] cells);

    public abstract void Dispose();

    public static TabularSource Open(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".xlsx" => new XlsxSource(stream),
            ".csv" or ".txt" or ".tsv" => new CsvSource(stream),
            _ => throw Hosting.CustosException.Invalid("ImportFileType"),
        };
    }

    /// <summary>UTF-8 unless the bytes say otherwise: a BOM, or text that is not valid UTF-8 (then GB 18030, a superset of GBK).</summary>
    public static Encoding DetectEncoding(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return new UTF8Encoding(false);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode;
        }

        // A multi-byte sequence may be cut at the end of the sample: judge all but its last three bytes.
        var judged = head.Length > 4 ? head[..^3] : head;
        try
        {
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(judged);
            return new UTF8Encoding(false);
        }
        catch (DecoderFallbackException)
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding("GB18030");
        }
    }

    private sealed class CsvSource : TabularSource
    {
        private readonly StreamReader text;
        private readonly CsvDataReader reader;
        private readonly string[] headers;

        public CsvSource(Stream stream)
        {
            var buffered = new BufferedStream(stream, 65536);
            var head = new byte[65536];
            var read = buffered.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var encoding = DetectEncoding(head.AsSpan(0, read));
            EncodingName = encoding.WebName;
            var whole = new ConcatenatedStream(head.AsMemory(0, read), buffered);
            text = new StreamReader(whole, encoding, detectEncodingFromByteOrderMarks: true, 65536);
            try
            {
                reader = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true });
            }
            catch (Exception e) when (e is CsvFormatException or InvalidDataException)
            {
                throw Hosting.CustosException.Invalid("ImportMalformed", 1);
            }

            headers = [.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetName(i).Trim())];
        }

        public override IReadOnlyList<string> Headers => headers;

        public override string EncodingName { get; }

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
            catch (CsvFormatException)
            {
                throw Hosting.CustosException.Invalid("ImportMalformed", Row + 1);
            }

            Row++;
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

        public XlsxSource(Stream stream)
        {
            try
            {
                rows = MiniExcel.Query(stream, useHeaderRow: false, excelType: ExcelType.XLSX)
                    .Cast<IDictionary<string, object>>().GetEnumerator();
                if (!rows.MoveNext())
                {
                    throw Hosting.CustosException.Invalid("ImportEmpty");
                }
            }
            catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException)
            {
                throw Hosting.CustosException.Invalid("ImportMalformed", 1);
            }

            var first = rows.Current;
            columns = [.. first.Keys];
            headers = [.. columns.Select(c => Convert.ToString(first[c], System.Globalization.CultureInfo.InvariantCulture)?.Trim() ?? "")];
        }

        public override IReadOnlyList<string> Headers => headers;

        public override string EncodingName => "xlsx";

        public override bool Read(out string?[] cells)
        {
            if (!rows.MoveNext())
            {
                cells = [];
                return false;
            }

            Row++;
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
