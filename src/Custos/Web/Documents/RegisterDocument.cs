using MiniExcelLibs;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Custos.Web.Documents;

/// <summary>
/// A register as people keep it on paper or in a spreadsheet (the NDA register, training results): a title, a
/// line saying what it covers and when it was drawn up, and a table whose column names are already translated.
/// </summary>
public sealed record RegisterTable(string Title, string Caption, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>The column names, each once: a spreadsheet row is keyed by them, so a repeated name would lose a column.</summary>
    public IReadOnlyList<string> Columns { get; } = Columns.Distinct(StringComparer.Ordinal).Count() == Columns.Count
        ? Columns
        : throw new ArgumentException("Every column of a register needs a name of its own.", nameof(Columns));
}

/// <summary>Writes a <see cref="RegisterTable"/> as an XLSX workbook (one sheet, a header row) or as an A4 landscape PDF.</summary>
public static class RegisterDocument
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public const string PdfType = "application/pdf";

    /// <summary>Whether <paramref name="format"/> is one a register is written in (<c>xlsx</c>, <c>pdf</c>); the name as used, or an error.</summary>
    public static string CheckFormat(string? format)
    {
        var known = (format ?? "").Trim().ToLowerInvariant();
        return known is "xlsx" or "pdf" ? known : throw Hosting.CustosException.Invalid("ExportFormat");
    }

    /// <summary>The register as a file: its bytes, type and a name (<paramref name="name"/>-yyyyMMdd.xlsx|pdf).</summary>
    public static (byte[] Content, string ContentType, string FileName) Write(RegisterTable table, string format, string? font, string pageLabel, string name, DateTimeOffset now)
    {
        var stamp = now.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        return CheckFormat(format) == "xlsx"
            ? (ToXlsx(table), XlsxType, $"{name}-{stamp}.xlsx")
            : (ToPdf(table, font, pageLabel), PdfType, $"{name}-{stamp}.pdf");
    }

    public static byte[] ToXlsx(RegisterTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var rows = table.Rows.Select(row =>
        {
            var cells = new Dictionary<string, object?>(table.Columns.Count, StringComparer.Ordinal);
            for (var i = 0; i < table.Columns.Count; i++)
            {
                // MiniExcel writes strings as text cells, never formulas: "=1+1" stays the text it is.
                cells[table.Columns[i]] = i < row.Count ? row[i] : "";
            }

            return cells;
        });
        using var output = new MemoryStream();
        MiniExcel.SaveAs(output, rows, printHeader: true, sheetName: SheetName(table.Title), excelType: ExcelType.XLSX);
        return output.ToArray();
    }

    /// <summary>The PDF; <paramref name="font"/> is the configured font (<see cref="PdfFonts.Use"/>).</summary>
    public static byte[] ToPdf(RegisterTable table, string? font, string pageLabel)
    {
        ArgumentNullException.ThrowIfNull(table);
        PdfFonts.Use(font);
        using var document = new PdfDocument();
        document.Info.Title = table.Title;
        document.Info.Creator = "Custos";
        var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
        var body = new XFont(PdfFonts.Family, 8.5, XFontStyleEx.Regular, options);
        var head = new XFont(PdfFonts.Family, 8.5, XFontStyleEx.Bold, options);
        var title = new XFont(PdfFonts.Family, 15, XFontStyleEx.Regular, options);
        const double margin = 36, lineHeight = 11, padding = 3;

        PdfPage page = null!;
        XGraphics graphics = null!;
        double y = 0, width = 0, height = 0;
        double[] widths = [];
        var pages = 0;

        List<string>[] Wrapped(IReadOnlyList<string> cells, XFont font) =>
            [.. widths.Select((w, i) => Wrap(graphics, i < cells.Count ? cells[i] : "", font, w - 2 * padding))];

        double RowHeight(List<string>[] lines) => Math.Max(1, lines.Max(l => l.Count)) * lineHeight + 2 * padding;

        void DrawRow(List<string>[] lines, XFont font, double rowHeight, bool shaded)
        {
            var x = margin;
            for (var i = 0; i < widths.Length; i++)
            {
                var cell = new XRect(x, y, widths[i], rowHeight);
                if (shaded)
                {
                    graphics.DrawRectangle(new XSolidBrush(XColor.FromArgb(255, 235, 238, 242)), cell);
                }

                graphics.DrawRectangle(new XPen(XColors.Gray, 0.4), cell);
                for (var line = 0; line < lines[i].Count; line++)
                {
                    graphics.DrawString(lines[i][line], font, XBrushes.Black, new XRect(x + padding, y + padding + line * lineHeight, widths[i] - 2 * padding, lineHeight), XStringFormats.TopLeft);
                }

                x += widths[i];
            }

            y += rowHeight;
        }

        void NewPage()
        {
            graphics?.Dispose();
            page = document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            page.Orientation = PdfSharp.PageOrientation.Landscape;
            graphics = XGraphics.FromPdfPage(page);
            width = page.Width.Point;
            height = page.Height.Point;
            pages++;
            graphics.DrawString(table.Title, title, XBrushes.Black, new XPoint(margin, margin + 10));
            graphics.DrawString(table.Caption, body, XBrushes.DimGray, new XPoint(margin, margin + 26));
            graphics.DrawString(string.Format(System.Globalization.CultureInfo.InvariantCulture, pageLabel, pages), body, XBrushes.DimGray, new XPoint(width - margin, height - margin / 2), XStringFormats.BottomRight);
            y = margin + 36;
            if (widths.Length == 0)
            {
                widths = ColumnWidths(graphics, table, body, width - 2 * margin, padding);
            }

            var header = Wrapped(table.Columns, head);
            DrawRow(header, head, RowHeight(header), shaded: true);
        }

        NewPage();
        foreach (var row in table.Rows)
        {
            var lines = Wrapped(row, body);
            var rowHeight = RowHeight(lines);
            if (y + rowHeight > height - margin)
            {
                NewPage();
            }

            DrawRow(lines, body, rowHeight, shaded: false);
        }

        graphics.Dispose();
        using var output = new MemoryStream();
        document.Save(output, false);
        return output.ToArray();
    }

    /// <summary>Columns share the page in proportion to their widest text, each at least a sixteenth of it and at most a third.</summary>
    private static double[] ColumnWidths(XGraphics graphics, RegisterTable table, XFont font, double available, double padding)
    {
        var wanted = new double[table.Columns.Count];
        for (var i = 0; i < wanted.Length; i++)
        {
            wanted[i] = graphics.MeasureString(table.Columns[i], font).Width;
            foreach (var row in table.Rows.Take(500))
            {
                if (i < row.Count)
                {
                    wanted[i] = Math.Max(wanted[i], graphics.MeasureString(row[i], font).Width);
                }
            }

            wanted[i] = Math.Clamp(wanted[i] + 2 * padding, available / 16, available / 3);
        }

        var scale = available / wanted.Sum();
        return [.. wanted.Select(w => w * scale)];
    }

    /// <summary>A sheet name Excel accepts: at most 31 characters, none of <c>[]:*?/\</c>.</summary>
    private static string SheetName(string title)
    {
        var name = new string([.. title.Where(c => "[]:*?/\\".IndexOf(c, StringComparison.Ordinal) < 0 && !char.IsControl(c))]).Trim();
        return name.Length == 0 ? "Sheet1" : name.Length > 31 ? name[..31] : name;
    }

    /// <summary>
    /// The text in lines that fit <paramref name="width"/>: Chinese breaks between any two characters, so a line is
    /// filled a character at a time (a Latin word is broken only when it is wider than the cell).
    /// </summary>
    private static List<string> Wrap(XGraphics graphics, string text, XFont font, double width)
    {
        var lines = new List<string>();
        foreach (var paragraph in (text ?? "").Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            var line = new System.Text.StringBuilder();
            foreach (var c in paragraph)
            {
                line.Append(c);
                if (line.Length > 1 && graphics.MeasureString(line.ToString(), font).Width > width)
                {
                    line.Length--;
                    var text2 = line.ToString();
                    var space = char.IsAsciiLetterOrDigit(c) ? text2.LastIndexOf(' ') : -1;
                    if (space > 0)
                    {
                        lines.Add(text2[..space]);
                        line.Clear().Append(text2[(space + 1)..]);
                    }
                    else
                    {
                        lines.Add(text2);
                        line.Clear();
                    }

                    line.Append(c);
                }
            }

            lines.Add(line.ToString());
        }

        return lines;
    }
}
