using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;

namespace Custos.Kernel.Crypto;

/// <summary>A key file that cannot be used: missing, unreadable, sealed without a passphrase, or the wrong passphrase.</summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException(string message)
        : base(message)
    {
    }

    public KeyFileException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public KeyFileException()
    {
    }
}

/// <summary>
/// The embedded default key provider: a JSON file, mode 0600, kept apart from the database, holding the
/// versioned key-encryption keys and the blind-index key. Optionally sealed: the keys are then encrypted
/// with AES-256-GCM under a key derived from a passphrase with Argon2id, and exist in clear only in memory.
/// </summary>
public sealed class LocalKeyFile : IRotatingKeyEncryptionKeys
{
    private const string Format = "custos-keys/v1";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    private readonly string path;
    private readonly string? passphrase;
    private readonly Lock gate = new();
    private KeyMaterial material;
    private DateTime loadedWriteTime;

    private (byte[] Key, BlindIndex Index)? blindIndex;
    private (byte[] Key, Audit.AuditHash Hash)? auditHash;

    /// <summary>When a wrap last looked at the file (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    private long lastWrapCheck;

    private LocalKeyFile(string path, string? passphrase, KeyMaterial material)
    {
        this.path = path;
        this.passphrase = passphrase;
        this.material = material;
        loadedWriteTime = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
    }

    /// <summary>Creates a new key file; refuses to overwrite one.</summary>
    public static LocalKeyFile Create(string path, string? passphrase, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            throw new KeyFileException($"A key file already exists at {path}; it is never overwritten.");
        }

        var material = new KeyMaterial
        {
            Kek = [new KekEntry { Version = 1, State = KekState.Active, CreatedAt = now, Key = RandomNumberGenerator.GetBytes(32) }],
            IndexKey = RandomNumberGenerator.GetBytes(32),
        };
        var file = new LocalKeyFile(path, passphrase, material);
        file.Save();
        return file;
    }

    /// <summary>Opens a key file; a sealed one needs its passphrase.</summary>
    public static LocalKeyFile Open(string path, string? passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new KeyFileException($"The key file {path} does not exist. Without it the protected data cannot be read; restore it from its separate backup.");
        }

        KeyFileDocument document;
        try
        {
            document = JsonSerializer.Deserialize<KeyFileDocument>(File.ReadAllBytes(path), Json)
                ?? throw new KeyFileException($"The key file {path} is empty.");
        }
        catch (JsonException e)
        {
            throw new KeyFileException($"The key file {path} is not a Custos key file.", e);
        }

        if (document.Format != Format)
        {
            throw new KeyFileException($"The key file {path} has format '{document.Format}', which this Custos does not know.");
        }

        KeyMaterial material;
        if (document.Sealed is { } seal)
        {
            if (string.IsNullOrEmpty(passphrase))
            {
                throw new KeyFileException($"The key file {path} is sealed: give its passphrase (CUSTOS_KEY_PASSPHRASE).");
            }

            material = Unseal(seal, passphrase);
        }
        else
        {
            material = document.Keys ?? throw new KeyFileException($"The key file {path} holds no keys.");
        }

        return new LocalKeyFile(path, passphrase, material);
    }

    public bool IsSealed => passphrase is not null;

    public string Description => IsSealed ? $"key file {path} (sealed)" : $"key file {path}";

    public int ActiveVersion
    {
        get
        {
            lock (gate)
            {
                return material.Kek.Single(k => k.State == KekState.Active).Version;
            }
        }
    }

    public IReadOnlyList<KekVersionInfo> Versions
    {
        get
        {
            lock (gate)
            {
                return [.. material.Kek.Select(k => new KekVersionInfo(k.Version, k.State, k.CreatedAt))];
            }
        }
    }

    /// <summary>The key of the blind indexes (HMAC-SHA256); separate from every encryption key.</summary>
    public BlindIndex BlindIndex
    {
        get
        {
            lock (gate)
            {
                // One instance per index key, so its per-thread HMAC state is reused.
                if (blindIndex is not { } current || !ReferenceEquals(current.Key, material.IndexKey))
                {
                    blindIndex = (material.IndexKey, new BlindIndex(material.IndexKey));
                }

                return blindIndex.Value.Index;
            }
        }
    }

    /// <summary>The keyed hash for matchable values in the audit log, derived from the blind-index key (<see cref="Audit.AuditHash"/>).</summary>
    public Audit.AuditHash AuditHash
    {
        get
        {
            lock (gate)
            {
                if (auditHash is not { } current || !ReferenceEquals(current.Key, material.IndexKey))
                {
                    auditHash = (material.IndexKey, new Audit.AuditHash(material.IndexKey));
                }

                return auditHash.Value.Hash;
            }
        }
    }

    [KeyMaterial]
    public WrappedDataKey Wrap(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> context)
    {
        // A rotation by another process (the CLI) shows up here within a second; looking at the file on every
        // wrap would cost two system calls per new customer during an import.
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref lastWrapCheck), now) >= TimeSpan.FromSeconds(1))
        {
            Interlocked.Exchange(ref lastWrapCheck, now);
            RefreshIfChanged();
        }

        KekEntry active;
        lock (gate)
        {
            active = material.Kek.Single(k => k.State == KekState.Active);
        }

        var blob = new byte[FieldCipher.NonceSize + dataKey.Length + FieldCipher.TagSize];
        var nonce = blob.AsSpan(0, FieldCipher.NonceSize);
        RandomBytes.Fill(nonce);
        using var aes = new AesGcm(active.Key!, FieldCipher.TagSize);
        aes.Encrypt(nonce, dataKey, blob.AsSpan(FieldCipher.NonceSize, dataKey.Length), blob.AsSpan(FieldCipher.NonceSize + dataKey.Length), WrapContext.For(context, active.Version));
        return new WrappedDataKey(active.Version, blob);
    }

    [KeyMaterial]
    public byte[] Unwrap(WrappedDataKey wrapped, ReadOnlySpan<byte> context)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        KekEntry? entry;
        lock (gate)
        {
            entry = material.Kek.SingleOrDefault(k => k.Version == wrapped.KekVersion);
        }

        if (entry is null && RefreshIfChanged())
        {
            lock (gate)
            {
                entry = material.Kek.SingleOrDefault(k => k.Version == wrapped.KekVersion);
            }
        }

        if (entry is null || entry.State == KekState.Destroyed || entry.Key is null)
        {
            throw new CryptographicException($"Key-encryption key version {wrapped.KekVersion} is not available (destroyed or unknown).");
        }

        var length = wrapped.Blob.Length - FieldCipher.NonceSize - FieldCipher.TagSize;
        if (length <= 0)
        {
            throw new CryptographicException("Wrapped data key is truncated.");
        }

        var key = new byte[length];
        using var aes = new AesGcm(entry.Key, FieldCipher.TagSize);
        aes.Decrypt(
            wrapped.Blob.AsSpan(0, FieldCipher.NonceSize),
            wrapped.Blob.AsSpan(FieldCipher.NonceSize, length),
            wrapped.Blob.AsSpan(FieldCipher.NonceSize + length),
            key,
            WrapContext.For(context, wrapped.KekVersion));
        return key;
    }

    /// <summary>Adds a new active version; the previous one keeps unwrapping until data keys are re-wrapped.</summary>
    public int Rotate(DateTimeOffset now)
    {
        lock (gate)
        {
            var next = material.Kek.Max(k => k.Version) + 1;
            var kek = material.Kek
                .Select(k => k.State == KekState.Active ? k with { State = KekState.Decrypting } : k)
                .Append(new KekEntry { Version = next, State = KekState.Active, CreatedAt = now, Key = RandomNumberGenerator.GetBytes(32) })
                .ToList();
            var updated = material with { Kek = kek };
            Save(updated);
            material = updated;
            return next;
        }
    }

    /// <summary>Destroys a retired version: the key bytes leave the file for good.</summary>
    public void Destroy(int version)
    {
        lock (gate)
        {
            var entry = material.Kek.SingleOrDefault(k => k.Version == version) ?? throw new KeyFileException($"There is no key version {version}.");
            if (entry.State == KekState.Active)
            {
                throw new KeyFileException("The active key version cannot be destroyed; rotate first.");
            }

            var updated = material with
            {
                Kek = [.. material.Kek.Select(k => k.Version == version ? k with { State = KekState.Destroyed, Key = null } : k)],
            };
            Save(updated);
            material = updated;
        }
    }

    /// <summary>
    /// Another process (<c>custos keys rotate</c>) changed the file: take its versions, so a server keeps
    /// reading data keys re-wrapped under a new version and wraps new ones with it.
    /// </summary>
    public bool RefreshIfChanged()
    {
        var written = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
        if (written == loadedWriteTime)
        {
            return false;
        }

        var fresh = Open(path, passphrase);
        lock (gate)
        {
            material = fresh.material;
            loadedWriteTime = fresh.loadedWriteTime;
        }

        return true;
    }

    private void Save() => Save(material);

    /// <summary>Writes a new file beside the old one, then renames it over: never a half-written key file.</summary>
    private void Save(KeyMaterial keys)
    {
        var document = passphrase is null
            ? new KeyFileDocument { Format = Format, Keys = keys }
            : new KeyFileDocument { Format = Format, Sealed = Seal(keys, passphrase) };
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, document, Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        loadedWriteTime = File.GetLastWriteTimeUtc(path);
    }

    private static SealedKeys Seal(KeyMaterial keys, string passphrase)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var parameters = new SealedKeys { Salt = salt, MemoryKiB = 65536, Iterations = 3, Parallelism = 1, Nonce = RandomNumberGenerator.GetBytes(12) };
        var key = DeriveKey(passphrase, parameters);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(keys, Json);
        var ciphertext = new byte[plaintext.Length + FieldCipher.TagSize];
        using (var aes = new AesGcm(key, FieldCipher.TagSize))
        {
            aes.Encrypt(parameters.Nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), Encoding.UTF8.GetBytes(Format));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        CryptographicOperations.ZeroMemory(key);
        return parameters with { Ciphertext = ciphertext };
    }

    private static KeyMaterial Unseal(SealedKeys seal, string passphrase)
    {
        var key = DeriveKey(passphrase, seal);
        var ciphertext = seal.Ciphertext ?? throw new KeyFileException("The sealed key file holds no keys.");
        var plaintext = new byte[ciphertext.Length - FieldCipher.TagSize];
        try
        {
            using var aes = new AesGcm(key, FieldCipher.TagSize);
            aes.Decrypt(seal.Nonce, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), plaintext, Encoding.UTF8.GetBytes(Format));
            return JsonSerializer.Deserialize<KeyMaterial>(plaintext, Json) ?? throw new KeyFileException("The sealed key file is empty.");
        }
        catch (CryptographicException e)
        {
            throw new KeyFileException("Wrong passphrase for the key file (or the file was modified).", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Argon2id (RFC 9106) from BouncyCastle.</summary>
    internal static byte[] DeriveKey(string passphrase, SealedKeys parameters)
    {
        var argon = new Argon2Parameters.Builder(Argon2Parameters.Argon2id)
            .WithVersion(Argon2Parameters.Version13)
            .WithIterations(parameters.Iterations)
            .WithMemoryAsKB(parameters.MemoryKiB)
            .WithParallelism(parameters.Parallelism)
            .WithSalt(parameters.Salt)
            .Build();
        var generator = new Argon2BytesGenerator();
        generator.Init(argon);
        var key = new byte[32];
        generator.GenerateBytes(Encoding.UTF8.GetBytes(passphrase), key);
        return key;
    }

    internal sealed record KeyFileDocument
    {
        public string Format { get; init; } = "";

        public KeyMaterial? Keys { get; init; }

        public SealedKeys? Sealed { get; init; }
    }

    internal sealed record KeyMaterial
    {
        public List<KekEntry> Kek { get; init; } = [];

        public byte[] IndexKey { get; init; } = [];
    }

    internal sealed record KekEntry
    {
        public int Version { get; init; }

        public KekState State { get; init; }

        public DateTimeOffset CreatedAt { get; init; }

        public byte[]? Key { get; init; }
    }

    internal sealed record SealedKeys
    {
        public string Kdf { get; init; } = "argon2id";

        public byte[] Salt { get; init; } = [];

        public int MemoryKiB { get; init; }

        public int Iterations { get; init; }

        public int Parallelism { get; init; }

        public byte[] Nonce { get; init; } = [];

        public byte[]? Ciphertext { get; init; }
    }
}
