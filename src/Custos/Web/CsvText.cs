using System.Text;

namespace Custos.Web;

/// <summary>
/// Writing CSV cells (RFC 4180) for exports opened in spreadsheets, following OWASP's guidance on CSV injection:
/// every cell is quoted (embedded quotes doubled), and wherever a spreadsheet could start a cell — at the start,
/// and after a comma, semicolon, tab or line break inside the value (a program that splits on those, or a paste) —
/// a formula character (=, +, -, @, tab, carriage return) gets an apostrophe before it, so it stays text.
/// </summary>
public static class CsvText
{
    public static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    public static string Cell(string? value) =>
        string.IsNullOrEmpty(value) ? "" : "\"" + Neutralise(value).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The value with an apostrophe before every formula character that could begin a cell.</summary>
    public static string Neutralise(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length + 2);
        for (var i = 0; i < value.Length; i++)
        {
            var startsCell = i == 0 || value[i - 1] is ',' or ';' or '\t' or '\r' or '\n';
            if (startsCell && value[i] is '=' or '+' or '-' or '@' or '\t' or '\r')
            {
                text.Append('\'');
            }

            text.Append(value[i]);
        }

        return text.ToString();
    }

    /// <summary>UTF-8 with a byte-order mark, which spreadsheet programs need to read Chinese text correctly.</summary>
    public static readonly Encoding Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
}
