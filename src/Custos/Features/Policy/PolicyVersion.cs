namespace Custos.Features.Policy;

/// <summary>One loaded policy file, kept whole: the newest is in force, the others are its history.</summary>
public sealed class PolicyVersion
{
    /// <summary>The <c>version</c> of the file; each load must raise it.</summary>
    public int Version { get; set; }

    public string Text { get; set; } = "";

    /// <summary>SHA-256 of the text, hexadecimal, as recorded in the audit log.</summary>
    public string Sha256 { get; set; } = "";

    public string LoadedBy { get; set; } = "";

    public DateTimeOffset LoadedAt { get; set; }

    public string? Note { get; set; }
}
