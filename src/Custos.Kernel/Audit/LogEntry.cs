using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Custos.Kernel.Audit;

/// <summary>
/// One entry of the audit log as it is hashed into the Merkle tree (AUD-1). The leaf is
/// SHA-256(0x00 ‖ <see cref="Encode"/>): UTF-8 JSON with the members always in this order, the time in UTC
/// to the millisecond, absent values as <c>null</c>, and the detail kept as the string it was stored as.
/// The sequence number is part of the entry, so moving a row to another place changes its hash.
/// </summary>
public sealed record LogEntry(
    long Sequence,
    DateTimeOffset At,
    string Actor,
    string ActorName,
    string? ActingAs,
    string? Client,
    string Action,
    string TargetType,
    string? Target,
    string? Purpose,
    string Outcome,
    string? Detail)
{
    /// <summary>The format's version, the first member of every encoded entry.</summary>
    public const int Version = 1;

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Times are kept to the millisecond, which every supported database engine stores exactly.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    public byte[] Encode()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 + (Detail?.Length ?? 0) * 2);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteNumber("seq", Sequence);
            json.WriteString("at", Truncate(At).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("actor", Actor);
            json.WriteString("actor_name", ActorName);
            json.WriteString("acting_as", ActingAs);
            json.WriteString("client", Client);
            json.WriteString("action", Action);
            json.WriteString("target_type", TargetType);
            json.WriteString("target", Target);
            json.WriteString("purpose", Purpose);
            json.WriteString("outcome", Outcome);
            json.WriteString("detail", Detail);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public byte[] LeafHash() => MerkleHash.Leaf(Encode());
}
