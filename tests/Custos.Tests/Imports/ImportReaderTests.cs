using System.IO.Compression;
using System.Text;
using CsCheck;
using Custos.Features.Imports;
using Custos.Hosting;

namespace Custos.Tests.Imports;

/// <summary>
/// The import readers with files as people make them (SEC-4): UTF-8 without a byte-order mark from Notepad, GBK from
/// Excel on Chinese Windows, UTF-16, XLSX — cut anywhere, truncated, random, broken, bombs. Never an unhandled
/// exception, never a garbled value, never a silent wrong guess.
/// </summary>
public sealed class ImportReaderTests
{
    private static readonly Encoding Gb18030 = ImportEncodings.Resolve("gb18030");

    private static (string Encoding, bool Guessed, List<string[]> Rows) Read(byte[] bytes, string name = "list.csv", string? encoding = null, int sample = TabularSource.SampleBytes, ImportLimits? limits = null)
    {
        using var source = TabularSource.Open(new MemoryStream(bytes), name, encoding, limits, sample);
        var rows = new List<string[]> { source.Headers.ToArray() };
        while (source.Read(out var cells))
        {
            rows.Add([.. cells.Select(c => c ?? "")]);
        }

        return (source.EncodingName, source.EncodingGuessed, rows);
    }

    private static string Csv(IEnumerable<string[]> rows) =>
        string.Concat(rows.Select(r => string.Join(',', r.Select(c => "\"" + c.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")) + "\r\n"));

    [Fact]
    public void The_reviews_file_utf8_without_a_bom_is_read_as_utf8()
    {
        var (encoding, guessed, rows) = Read(Encoding.UTF8.GetBytes("name,mobile\n张三丰,13800138020\n"));
        Assert.Equal(("utf-8", false), (encoding, guessed));
        Assert.Equal(["张三丰", "13800138020"], rows[1]);
    }

    /// <summary>The sample is UTF-8, a row far past it is GBK (two lists pasted together): refused, never stored as U+FFFD; a preview shows U+FFFD.</summary>
    [Fact]
    public void Bytes_of_another_encoding_past_the_sample_stop_the_import_near_their_row_SEC_4()
    {
        var rows = new List<string[]> { new[] { "姓名", "手机" } };
        rows.AddRange(Enumerable.Range(0, 3000).Select(i => new[] { "张三丰" + i, "139" + (10_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        var utf8 = new UTF8Encoding(false).GetBytes(Csv(rows));
        Assert.True(utf8.Length > TabularSource.SampleBytes);
        var mixed = utf8.Concat(Gb18030.GetBytes("李四GBK行,13911112222\n")).ToArray();

        var error = Assert.Throws<CustosException>(() => Read(mixed));
        Assert.Equal("ImportNotInEncoding", error.Code);
        Assert.InRange(Convert.ToInt32(error.Args[0], System.Globalization.CultureInfo.InvariantCulture), 1, rows.Count + 1); // from that row on: at or before it
        Assert.Equal("utf-8", error.Args[1]);

        // The same in GB18030 with UTF-8 past the sample: also refused, not read as mojibake.
        var gbk = Gb18030.GetBytes(Csv(rows)).Concat(new byte[] { 0x80, 0xFF, (byte)'\n' }).ToArray();
        Assert.Equal("ImportNotInEncoding", Assert.Throws<CustosException>(() => Read(gbk, encoding: "gb18030")).Code);

        // A preview shows a wrong choice as it is, so that the person changes it.
        using var preview = TabularSource.Open(new MemoryStream(mixed), "list.csv", "gb18030", lenient: true);
        Assert.True(preview.Read(out var cells));
        Assert.NotEqual("张三丰0", cells[0]);
    }

    /// <summary>Every sample length from 4 bytes to past the end: 2-, 3- and 4-byte characters straddle each boundary.</summary>
    [Fact]
    public void Utf8_without_a_bom_is_utf8_whatever_the_sample_cuts()
    {
        var rows = new List<string[]> { new[] { "姓名", "备注" } };
        rows.AddRange(Enumerable.Range(0, 12).Select(i => new[] { "张三丰" + i, $"é𠀀😀客户{i}号，说“好”" }));
        var bytes = new UTF8Encoding(false).GetBytes(Csv(rows));
        for (var sample = 4; sample <= bytes.Length + 1; sample++)
        {
            var (encoding, guessed, read) = Read(bytes, sample: sample);
            Assert.True(encoding == "utf-8" && !guessed, $"sample {sample}: {encoding}, guessed {guessed}");
            Assert.Equal(rows, read);
        }
    }

    [Fact]
    public void Gbk_from_excel_is_read_as_gb18030_and_said_to_be_a_guess_that_can_be_changed()
    {
        var rows = new List<string[]> { new[] { "姓名", "手机" } };
        rows.AddRange(Enumerable.Range(0, 12).Select(i => new[] { "张三丰" + i, "1380013802" + (i % 10) }));
        var bytes = Gb18030.GetBytes(Csv(rows));
        var first = Array.FindIndex(bytes, b => b >= 0x80);
        for (var sample = first + 2; sample <= bytes.Length + 1; sample++)
        {
            var (encoding, guessed, read) = Read(bytes, sample: sample);
            Assert.True(encoding == "gb18030" && guessed, $"sample {sample}: {encoding}, guessed {guessed}");
            Assert.Equal(rows, read);
        }

        // The person says what it is, and that holds.
        Assert.Equal(rows, Read(bytes, encoding: "gbk").Rows);
        using (var wrong = TabularSource.Open(new MemoryStream(bytes), "list.csv", "utf-8", lenient: true))
        {
            Assert.Equal("utf-8", wrong.EncodingName);
            Assert.True(wrong.Read(out var cells));
            Assert.NotEqual(rows[1][0], cells[0]); // a preview shows the wrong choice as it is
        }

        Assert.Equal("ImportNotInEncoding", Assert.Throws<CustosException>(() => Read(bytes, encoding: "utf-8")).Code); // an import refuses it
        Assert.Equal("ImportEncodingUnknown", Assert.Throws<CustosException>(() => Read(bytes, encoding: "ebcdic")).Code);
    }

    [Fact]
    public void A_long_ascii_beginning_does_not_decide_the_encoding_alone()
    {
        var rows = new List<string[]> { new[] { "name", "note" } };
        rows.AddRange(Enumerable.Range(0, 3000).Select(i => new[] { "customer" + i, "plain ascii note" }));
        rows.Add(["王五", "最后一行"]);
        var bytes = Gb18030.GetBytes(Csv(rows));
        Assert.True(bytes.Length > TabularSource.SampleBytes);
        var (encoding, guessed, read) = Read(bytes);
        Assert.Equal(("gb18030", true), (encoding, guessed));
        Assert.Equal(rows, read);
    }

    /// <summary>Generated lists in every encoding, with a generated sample length: read back exactly as written.</summary>
    [Fact]
    public void Generated_lists_read_back_exactly_in_every_encoding_and_any_sample_length()
    {
        var chars = Gen.OneOf(Gen.Char['a', 'z'], Gen.Char['0', '9'], Gen.Char['\u4e00', '\u9fa5'], Pick(',', '"', '\n', ' ', 'é', '，', '“'),
            Pick("😀"[0], "𠀀"[0], "𡃁"[0])); // a lead surrogate only: completed below
        var cell = Gen.String[chars, 0, 12].Select(FixSurrogates);
        var table = Gen.Int[1, 4].SelectMany(width => cell.Array[width].Array[1, 8]);
        var encodings = Pick<Encoding>(new UTF8Encoding(false), new UTF8Encoding(true), Gb18030, new UnicodeEncoding(false, true));
        Gen.Select(table, encodings, Gen.Int[4, 300]).Sample((rows, encoding, sample) =>
        {
            var header = rows[0].Select((_, i) => "列" + i).ToArray();
            var all = new[] { header }.Concat(rows.Skip(0)).ToList();
            var bytes = encoding.GetPreamble().Concat(encoding.GetBytes(Csv(all))).ToArray();
            var (read, _, values) = Read(bytes, sample: sample);
            var validUtf8 = encoding == Gb18030 && IsUtf8(bytes);
            if (validUtf8)
            {
                Assert.Equal("utf-8", read); // the rule: bytes that are valid UTF-8 are UTF-8
                return;
            }

            Assert.Equal(all, values);
        }, iter: 400);
    }

    /// <summary>Any file cut anywhere, or made of noise: a clear refusal (a <see cref="CustosException"/>) or rows — nothing else.</summary>
    [Fact]
    public void Truncated_and_random_files_are_refused_clearly_or_read_never_crash()
    {
        var good = new UTF8Encoding(false).GetBytes(Csv([["姓名", "备注"], ["张三丰", "有\"引号\"，和\n换行"], ["李四", "好"]]));
        var xlsx = Workbook(("xl/workbook.xml", "<workbook/>"));
        Gen.Select(Gen.Int[0, 1000], Gen.Byte.Array[0, 400], Pick("a.csv", "a.xlsx")).Sample((cut, noise, name) =>
        {
            foreach (var bytes in new[] { good[..Math.Min(cut, good.Length)], noise, xlsx[..Math.Min(cut, xlsx.Length)] })
            {
                try
                {
                    Read(bytes, name);
                }
                catch (CustosException)
                {
                    // refused with a message
                }
            }
        }, iter: 300);
    }

    [Fact]
    public void A_zip_without_a_workbook_and_a_zip_bomb_are_refused_before_they_are_expanded_anywhere()
    {
        var noWorkbook = Workbook(("word/document.xml", "<document/>"));
        Assert.Equal("ImportNotAWorkbook", Assert.Throws<CustosException>(() => Read(noWorkbook, "list.xlsx")).Code);

        // 64 MB of nothing in a sheet, a few hundred KB on disk; a limit of 16 MB refuses it while expanding.
        using var bomb = new MemoryStream();
        using (var zip = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("xl/workbook.xml").Open()))
            {
                writer.Write("<workbook/>");
            }

            using var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
            {
                sheet.Write(zeros);
            }
        }

        Assert.True(bomb.Length < 1 << 20);
        var before = Directory.EnumerateFiles(Path.GetTempPath()).Count(f => f.Contains("miniexcel", StringComparison.OrdinalIgnoreCase));
        var refused = Assert.Throws<CustosException>(() => Read(bomb.ToArray(), "bomb.xlsx", limits: new ImportLimits(MaxUncompressedBytes: 16 << 20)));
        Assert.Equal("ImportTooLargeExpanded", refused.Code);
        Assert.Equal(before, Directory.EnumerateFiles(Path.GetTempPath()).Count(f => f.Contains("miniexcel", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Too_many_rows_columns_or_an_endless_row_are_refused_with_where()
    {
        var wide = Encoding.UTF8.GetBytes(string.Join(',', Enumerable.Range(0, 300).Select(i => "列" + i)) + "\n");
        Assert.Equal("ImportTooManyColumns", Assert.Throws<CustosException>(() => Read(wide)).Code);

        var tall = Encoding.UTF8.GetBytes("姓名\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"客户{i}\n")));
        Assert.Equal("ImportTooManyRows", Assert.Throws<CustosException>(() => Read(tall, limits: new ImportLimits(MaxRows: 10))).Code);

        var endless = Encoding.UTF8.GetBytes("姓名,备注\n张三,\"" + new string('长', 300_000) + "\n");
        var error = Assert.Throws<CustosException>(() => Read(endless, limits: new ImportLimits(MaxRowCharacters: 100_000)));
        Assert.Equal(("ImportRowTooLarge", 2), (error.Code, (int)error.Args[0]));
    }

    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            new UTF8Encoding(false, true).GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Completes a lone lead surrogate (from the generator) with its trail, and drops lone trails.</summary>
    private static string FixSurrogates(string s)
    {
        var b = new StringBuilder();
        foreach (var c in s)
        {
            if (char.IsHighSurrogate(c))
            {
                b.Append(c).Append('\uDE00');
            }
            else if (!char.IsLowSurrogate(c))
            {
                b.Append(c);
            }
        }

        return b.ToString();
    }

    private static byte[] Workbook(params (string Name, string Content)[] parts)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in parts)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(content);
            }
        }

        return stream.ToArray();
    }
}
