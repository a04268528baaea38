namespace Custos.Hosting;

/// <summary>
/// Text that people type into names, notes and file names. Control characters (NUL, BEL, ESC, …) and invisible
/// format characters (bidirectional overrides and isolates, U+202A–U+202E, U+2066–U+2069; zero-width spaces and
/// joiners; soft hyphens) are refused: they hide what a value really is from whoever reads it later (an approver, an auditor), and an
/// override can make <c>invoice‮fdp.exe</c> look like a PDF.
/// </summary>
public static class TextInput
{
    /// <summary>Trims <paramref name="value"/> and refuses it if it holds a control or reordering character; line breaks only when <paramref name="multiline"/>.</summary>
    public static string Clean(string? value, string field, bool multiline = false)
    {
        var text = (value ?? "").Trim();
        return FirstForbidden(text, multiline) is null ? text : throw CustosException.Invalid("ForbiddenCharacters", field);
    }

    /// <summary>Like <see cref="Clean"/>, for optional text: null or blank stays null.</summary>
    public static string? CleanOptional(string? value, string field, bool multiline = false) =>
        string.IsNullOrWhiteSpace(value) ? null : Clean(value, field, multiline);

    /// <summary>The index of the first character that may not appear, or null.</summary>
    public static int? FirstForbidden(string text, bool multiline = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (multiline && c is '\n' or '\r' or '\t')
            {
                continue;
            }

            if (IsForbidden(c))
            {
                return i;
            }
        }

        return null;
    }

    public static bool IsForbidden(char c) => char.IsControl(c) || Kernel.Classification.FieldDefinition.HasForbiddenCharacters(c.ToString());
}
