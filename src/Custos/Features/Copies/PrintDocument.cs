using Custos.Web.Documents;
using PdfSharp.Drawing;
using PdfSharp.Drawing.Layout;
using PdfSharp.Pdf;

namespace Custos.Features.Copies;

/// <summary>What goes on a printed copy: labels already translated, values already masked or revealed.</summary>
public sealed record PrintContent(
    string Title,
    string Stamp,
    string Serial,
    IReadOnlyList<(string Label, string Value)> Facts,
    IReadOnlyList<(string Label, string Value)> Fields,
    string Footer,
    string Watermark);

/// <summary>
/// Renders a controlled print (PRT-2) with PDFsharp: the 受控文件 stamp, serial, use-by date and recipient on
/// every page, a signature line, and a diagonal watermark naming the recipient and serial.
/// </summary>
public static class PrintDocument
{
    public static byte[] Render(PrintContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var document = new PdfDocument();
        document.Info.Title = content.Title;
        document.Info.Subject = content.Serial;
        document.Info.Creator = "Custos";
        var options = new XPdfFontOptions(PdfFontEncoding.Unicode);
        var body = new XFont(PdfFonts.Family, 10.5, XFontStyleEx.Regular, options);
        var heading = new XFont(PdfFonts.Family, 16, XFontStyleEx.Regular, options);
        var stamp = new XFont(PdfFonts.Family, 18, XFontStyleEx.Regular, options);
        var mark = new XFont(PdfFonts.Family, 26, XFontStyleEx.Regular, options);
        const double margin = 50, rowHeight = 20;

        PdfPage page = null!;
        XGraphics graphics = null!;
        double y = 0;

        void NewPage()
        {
            graphics?.Dispose();
            page = document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            graphics = XGraphics.FromPdfPage(page);
            var width = page.Width.Point;
            var height = page.Height.Point;

            // The watermark first, so the text stays readable over it.
            var state = graphics.Save();
            graphics.TranslateTransform(width / 2, height / 2);
            graphics.RotateTransform(-35);
            var faint = new XSolidBrush(XColor.FromArgb(38, 200, 0, 0));
            for (var line = -3; line <= 3; line++)
            {
                graphics.DrawString(content.Watermark, mark, faint, new XPoint(0, line * 110), XStringFormats.Center);
            }

            graphics.Restore(state);

            // The stamp: red frame, 受控文件, and the serial under it.
            var red = XColor.FromArgb(255, 190, 0, 0);
            var box = new XRect(width - margin - 150, margin - 10, 150, 50);
            graphics.DrawRectangle(new XPen(red, 2), box);
            graphics.DrawString(content.Stamp, stamp, new XSolidBrush(red), new XRect(box.X, box.Y + 4, box.Width, 26), XStringFormats.Center);
            graphics.DrawString(content.Serial, body, new XSolidBrush(red), new XRect(box.X, box.Y + 28, box.Width, 18), XStringFormats.Center);

            graphics.DrawString(content.Title, heading, XBrushes.Black, new XPoint(margin, margin + 14));
            new XTextFormatter(graphics).DrawString(content.Footer, body, XBrushes.DimGray, new XRect(margin, height - margin - 2 * rowHeight, width - 2 * margin, 3 * rowHeight), XStringFormats.TopLeft);
            y = margin + 60;
        }

        NewPage();
        var labelWidth = 130.0;
        var pageWidth = page.Width.Point;
        var bottom = page.Height.Point - margin - 3 * rowHeight;
        var valueWidth = pageWidth - 2 * margin - labelWidth;
        foreach (var (label, value) in content.Facts)
        {
            graphics.DrawString(label, body, XBrushes.DimGray, new XPoint(margin, y));
            graphics.DrawString(value, body, XBrushes.Black, new XPoint(margin + labelWidth, y));
            y += rowHeight;
        }

        y += rowHeight / 2;
        graphics.DrawLine(XPens.Gray, margin, y - rowHeight + 6, pageWidth - margin, y - rowHeight + 6);
        foreach (var (label, value) in content.Fields)
        {
            // Long values (notes) wrap; a row that would not fit starts a new page.
            var lines = Math.Max(1, (int)Math.Ceiling(graphics.MeasureString(value, body).Width / (valueWidth - 10)));
            var height = lines * (rowHeight - 4) + 4;
            if (y + height > bottom)
            {
                NewPage();
            }

            var formatter = new XTextFormatter(graphics);
            formatter.DrawString(label, body, XBrushes.DimGray, new XRect(margin, y - 10, labelWidth, rowHeight), XStringFormats.TopLeft);
            formatter.DrawString(value, body, XBrushes.Black, new XRect(margin + labelWidth, y - 10, valueWidth, height), XStringFormats.TopLeft);
            y += Math.Max(rowHeight, height);
        }

        graphics.Dispose();
        using var output = new MemoryStream();
        document.Save(output, false);
        return output.ToArray();
    }
}
