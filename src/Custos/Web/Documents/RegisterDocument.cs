using MiniExcelLibs;
using PdfSharp.Drawing;
using PdfSharp.Drawing.Layout;
using PdfSharp.Pdf;

namespace Custos.Web.Documents;

/// <summary>
/// A register as people keep it on paper or in a spreadsheet (the NDA register, training results): a title, a
/// line saying what it covers and when it was drawn up, and a table whose column names are already translated.
/// </summary>
public sealed record RegisterTable(string Title, string Caption, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>Writes a <see cref="RegisterTable"/> as an XLSX workbook (one sheet, a header row) or as an A4 landscape PDF.</summary>
public static class RegisterDocument
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public const string PdfType = "application/pdf";

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

        double RowHeight(IReadOnlyList<string> cells, XFont font)
        {
            var lines = 1;
            for (var i = 0; i < widths.Length; i++)
            {
                var text = i < cells.Count ? cells[i] : "";
                lines = Math.Max(lines, Lines(graphics, text, font, widths[i] - 2 * padding));
            }

            return lines * lineHeight + 2 * padding;
        }

        void DrawRow(IReadOnlyList<string> cells, XFont font, double rowHeight, bool shaded)
        {
            var x = margin;
            var formatter = new XTextFormatter(graphics);
            for (var i = 0; i < widths.Length; i++)
            {
                var cell = new XRect(x, y, widths[i], rowHeight);
                if (shaded)
                {
                    graphics.DrawRectangle(new XSolidBrush(XColor.FromArgb(255, 235, 238, 242)), cell);
                }

                graphics.DrawRectangle(new XPen(XColors.Gray, 0.4), cell);
                formatter.DrawString(i < cells.Count ? cells[i] : "", font, XBrushes.Black, new XRect(x + padding, y + padding, widths[i] - 2 * padding, rowHeight - 2 * padding), XStringFormats.TopLeft);
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

            DrawRow(table.Columns, head, RowHeight(table.Columns, head), shaded: true);
        }

        NewPage();
        foreach (var row in table.Rows)
        {
            var rowHeight = RowHeight(row, body);
            if (y + rowHeight > height - margin)
            {
                NewPage();
            }

            DrawRow(row, body, rowHeight, shaded: false);
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

    private static int Lines(XGraphics graphics, string text, XFont font, double width)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 1;
        }

        var lines = 0;
        foreach (var paragraph in text.Split('\n'))
        {
            lines += Math.Max(1, (int)Math.Ceiling(graphics.MeasureString(paragraph, font).Width / Math.Max(1, width - 2)));
        }

        return lines;
    }
}
