namespace Custos.Kernel.Crypto;

/// <summary>A data key wrapped by version <see cref="KekVersion"/> of the key-encryption key.</summary>
public sealed record WrappedDataKey(int KekVersion, byte[] Blob);

/// <summary>State of a key-encryption key version.</summary>
public enum KekState
{
    /// <summary>Wraps new data keys and unwraps old ones.</summary>
    Active,

    /// <summary>Unwraps only; data keys are being re-wrapped under the active version.</summary>
    Decrypting,

    /// <summary>Destroyed: nothing it wrapped can be read any more (crypto-shredding).</summary>
    Destroyed,
}

public sealed record KekVersionInfo(int Version, KekState State, DateTimeOffset CreatedAt);

/// <summary>
/// Versioned key-encryption keys held by a key provider (key file, HSM). Implementations never expose the
/// key itself; they wrap and unwrap data keys, binding each to a context (e.g. the customer id).
/// </summary>
public interface IKeyEncryptionKeys
{
    int ActiveVersion { get; }

    IReadOnlyList<KekVersionInfo> Versions { get; }

    [KeyMaterial]
    WrappedDataKey Wrap(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> context);

    /// <summary>Unwraps; throws <see cref="System.Security.Cryptography.CryptographicException"/> if the blob, context or version is wrong.</summary>
    [KeyMaterial]
    byte[] Unwrap(WrappedDataKey wrapped, ReadOnlySpan<byte> context);
}

/// <summary>The associated data of a wrapped data key: the caller's context and the KEK version, so neither can be swapped.</summary>
internal static class WrapContext
{
    public static byte[] For(ReadOnlySpan<byte> context, int kekVersion)
    {
        var buffer = new byte[context.Length + 4];
        context.CopyTo(buffer);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(context.Length), kekVersion);
        return buffer;
    }
}

/// <summary>A key provider whose versions can be added and destroyed (key file, HSM).</summary>
public interface IRotatingKeyEncryptionKeys : IKeyEncryptionKeys
{
    /// <summary>Where the keys are, for status pages (never the keys themselves).</summary>
    string Description { get; }

    /// <summary>Adds a version, which becomes active; returns its number.</summary>
    int Rotate(DateTimeOffset now);

    /// <summary>Destroys a version that is not active.</summary>
    void Destroy(int version);

    /// <summary>Takes changes made by another process; true when something changed.</summary>
    bool RefreshIfChanged();
}
