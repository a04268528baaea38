using System.Text.Json;
using System.Text.Json.Serialization;

namespace Custos.Features.Backup;

/// <summary>
/// What a backup says about itself, in clear at the head of the sealed file and authenticated with it (SEC-2): when, of
/// which engine and schema, and the audit log's size and root at that moment, so a restore can check that what it
/// restored is what was backed up, and an auditor can match the backup to a signed checkpoint.
/// </summary>
public sealed record BackupManifest(
    string Format,
    Guid Id,
    DateTimeOffset CreatedAt,
    string Engine,
    string Schema,
    string Version,
    long AuditSize,
    string AuditRoot,
    long AuditEntries,
    long Customers)
{
    public const string CurrentFormat = "custos-backup/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>The manifest, or null when the bytes are not one of ours.</summary>
    public static BackupManifest? From(byte[] bytes)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<BackupManifest>(bytes, Json);
            return manifest is { Format: CurrentFormat } ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Facts read from a database for a manifest, or to check one against what was restored.</summary>
public sealed record DatabaseFacts(string Schema, long AuditSize, string AuditRoot, long AuditEntries, long Customers);
