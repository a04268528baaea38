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
        var buffer = Scratch();
        Write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The entry's leaf in the Merkle tree: SHA-256(0x00 ‖ <see cref="Encode"/>), encoded straight after the prefix.</summary>
    public byte[] LeafHash()
    {
        var buffer = Scratch();
        buffer.GetSpan(1)[0] = 0x00;
        buffer.Advance(1);
        Write(buffer);
        return System.Security.Cryptography.SHA256.HashData(buffer.WrittenSpan);
    }

    // One buffer and one writer per thread, reused: the log is encoded a million entries at a time (sequencing,
    // verification, archives). Entries hold no protected value, so nothing sensitive lingers in them.
    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? scratch;

    [ThreadStatic]
    private static Utf8JsonWriter? writer;

    private static System.Buffers.ArrayBufferWriter<byte> Scratch()
    {
        var buffer = scratch ??= new System.Buffers.ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private void Write(System.Buffers.ArrayBufferWriter<byte> buffer)
    {
        var json = writer ??= new Utf8JsonWriter(buffer, Options);
        json.Reset(buffer);
        Span<char> at = stackalloc char[24];
        if (!Truncate(At).UtcDateTime.TryFormat(at, out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("An entry's time did not fit its format.");
        }

        json.WriteStartObject();
        json.WriteNumber("v", Version);
        json.WriteNumber("seq", Sequence);
        json.WriteString("at", at[..written]);
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
        json.Flush();
    }
}
