using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custos.Kernel.Crypto;

/// <summary>Where the key-encryption keys live in a PKCS#11 token.</summary>
public sealed record Pkcs11Options(string LibraryPath, string TokenLabel, string Pin, string KeyLabelPrefix = "custos-kek-");

/// <summary>
/// Key-encryption keys inside a hardware security module, through PKCS#11 (tested with SoftHSM2). Each version
/// is an AES-256 key generated in the token as sensitive and non-extractable; data keys are wrapped by
/// CKM_AES_GCM inside the token, so the KEK never exists in this process. The highest version present is
/// active; destroying a version deletes its key object from the token.
/// </summary>
public sealed class Pkcs11KeyEncryptionKeys : IRotatingKeyEncryptionKeys, IDisposable
{
    private static int resolverRegistered;
    private readonly Pkcs11InteropFactories factories = new();
    private readonly IPkcs11Library library;
    private readonly ISlot slot;
    private readonly Pkcs11Options options;
    private readonly Lock gate = new();

    private Pkcs11KeyEncryptionKeys(Pkcs11Options options, IPkcs11Library library, ISlot slot)
    {
        this.options = options;
        this.library = library;
        this.slot = slot;
    }

    /// <summary>Connects to the token (by label) and logs in; creates version 1 when the token holds no Custos key yet.</summary>
    public static Pkcs11KeyEncryptionKeys Open(Pkcs11Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RegisterResolver();
        if (!File.Exists(options.LibraryPath))
        {
            throw new KeyFileException($"The PKCS#11 library {options.LibraryPath} does not exist.");
        }

        var factories = new Pkcs11InteropFactories();
        IPkcs11Library library;
        try
        {
            library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, options.LibraryPath, AppType.MultiThreaded);
        }
        catch (Exception e) when (e is Pkcs11Exception or UnmanagedException or DllNotFoundException)
        {
            throw new KeyFileException($"The PKCS#11 library {options.LibraryPath} could not be loaded: {e.Message}", e);
        }

        var slot = library.GetSlotList(SlotsType.WithTokenPresent).FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == options.TokenLabel);
        if (slot is null)
        {
            library.Dispose();
            throw new KeyFileException($"No PKCS#11 token labelled '{options.TokenLabel}' is present (the HSM is unreachable or not initialised).");
        }

        var keys = new Pkcs11KeyEncryptionKeys(options, library, slot);
        try
        {
            if (keys.Versions.Count == 0)
            {
                keys.Generate(1);
            }

            return keys;
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    public int ActiveVersion => Versions.Where(v => v.State == KekState.Active).Select(v => v.Version).Single();

    public IReadOnlyList<KekVersionInfo> Versions
    {
        get
        {
            var versions = WithSession(VersionsIn);
            var active = versions.Count == 0 ? 0 : versions[^1];
            return [.. versions.Select(v => new KekVersionInfo(v, v == active ? KekState.Active : KekState.Decrypting, DateTimeOffset.MinValue))];
        }
    }

    [KeyMaterial]
    public WrappedDataKey Wrap(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> context)
    {
        var nonce = RandomNumberGenerator.GetBytes(FieldCipher.NonceSize);
        var data = dataKey.ToArray();
        var contextBytes = context.ToArray();

        // One session: find the active version and wrap under it.
        var (version, sealedKey) = WithSession(session =>
        {
            var version = VersionsIn(session).LastOrDefault();
            var key = FindKey(session, version) ?? throw new CryptographicException("The token holds no Custos key-encryption key.");
            return (version, session.Encrypt(Gcm(nonce, WrapContext.For(contextBytes, version)), key, data));
        });
        CryptographicOperations.ZeroMemory(data);
        return new WrappedDataKey(version, [.. nonce, .. sealedKey]);
    }

    /// <summary>The Custos key versions in the token, ascending.</summary>
    private List<int> VersionsIn(ISession session) => session.FindAllObjects([
            factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            factories.ObjectAttributeFactory.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
        ])
        .Select(handle => session.GetAttributeValue(handle, [CKA.CKA_LABEL])[0].GetValueAsString())
        .Where(label => label.StartsWith(options.KeyLabelPrefix, StringComparison.Ordinal))
        .Select(label => int.TryParse(label.AsSpan(options.KeyLabelPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
        .Where(v => v > 0)
        .Order()
        .ToList();

    [KeyMaterial]
    public byte[] Unwrap(WrappedDataKey wrapped, ReadOnlySpan<byte> context)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        if (wrapped.Blob.Length <= FieldCipher.NonceSize + FieldCipher.TagSize)
        {
            throw new CryptographicException("Wrapped data key is truncated.");
        }

        var nonce = wrapped.Blob[..FieldCipher.NonceSize];
        var aad = WrapContext.For(context, wrapped.KekVersion);
        try
        {
            return WithSession(session =>
                session.Decrypt(Gcm(nonce, aad), FindKey(session, wrapped.KekVersion)
                    ?? throw new CryptographicException($"Key-encryption key version {wrapped.KekVersion} is not in the token (destroyed or unknown)."),
                    wrapped.Blob[FieldCipher.NonceSize..]));
        }
        catch (Pkcs11Exception e)
        {
            throw new CryptographicException("The token refused to unwrap the data key (wrong context or modified blob).", e);
        }
    }

    public string Description => $"PKCS#11 token '{options.TokenLabel}' ({options.LibraryPath})";

    /// <summary>Versions are read from the token on every use, so other processes' changes are always seen.</summary>
    public bool RefreshIfChanged() => false;

    public int Rotate(DateTimeOffset now) => Rotate();

    /// <summary>Generates the next version inside the token; it becomes active.</summary>
    public int Rotate()
    {
        lock (gate)
        {
            var next = Versions.Select(v => v.Version).DefaultIfEmpty(0).Max() + 1;
            Generate(next);
            return next;
        }
    }

    /// <summary>Deletes a non-active version's key object from the token.</summary>
    public void Destroy(int version)
    {
        if (version == ActiveVersion)
        {
            throw new KeyFileException("The active key version cannot be destroyed; rotate first.");
        }

        WithSession(session =>
        {
            session.DestroyObject(FindKey(session, version) ?? throw new KeyFileException($"There is no key version {version}."));
            return 0;
        });
    }

    /// <summary>True when the key object of <paramref name="version"/> is sensitive and cannot be extracted.</summary>
    public bool IsNonExtractable(int version) => WithSession(session =>
    {
        var key = FindKey(session, version) ?? throw new KeyFileException($"There is no key version {version}.");
        var attributes = session.GetAttributeValue(key, [CKA.CKA_EXTRACTABLE, CKA.CKA_SENSITIVE]);
        return !attributes[0].GetValueAsBool() && attributes[1].GetValueAsBool();
    });

    public void Dispose() => library.Dispose();

    private void Generate(int version) => WithSession(session => session.GenerateKey(factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN),
    [
        factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
        factories.ObjectAttributeFactory.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
        factories.ObjectAttributeFactory.Create(CKA.CKA_VALUE_LEN, 32),
        factories.ObjectAttributeFactory.Create(CKA.CKA_TOKEN, true),
        factories.ObjectAttributeFactory.Create(CKA.CKA_PRIVATE, true),
        factories.ObjectAttributeFactory.Create(CKA.CKA_SENSITIVE, true),
        factories.ObjectAttributeFactory.Create(CKA.CKA_EXTRACTABLE, false),
        factories.ObjectAttributeFactory.Create(CKA.CKA_ENCRYPT, true),
        factories.ObjectAttributeFactory.Create(CKA.CKA_DECRYPT, true),
        factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, options.KeyLabelPrefix + version.ToString(CultureInfo.InvariantCulture)),
    ]));

    private IObjectHandle? FindKey(ISession session, int version) => session.FindAllObjects(
    [
        factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
        factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, options.KeyLabelPrefix + version.ToString(CultureInfo.InvariantCulture)),
    ]).FirstOrDefault();

    private IMechanism Gcm(byte[] nonce, byte[] aad) =>
        factories.MechanismFactory.Create(CKM.CKM_AES_GCM, factories.MechanismParamsFactory.CreateCkGcmParams(nonce, 96, aad, 128));

    /// <summary>
    /// A short-lived logged-in session per operation, one operation at a time. PKCS#11 sessions are not shared
    /// across threads, and SoftHSM2 was seen to crash the process when sessions were opened, logged in and closed
    /// on several threads at once; a module's throughput is bounded anyway, so calls into it are serialised.
    /// </summary>
    private T WithSession<T>(Func<ISession, T> work)
    {
        lock (gate)
        {
            return InSession(work);
        }
    }

    private T InSession<T>(Func<ISession, T> work)
    {
        using var session = slot.OpenSession(SessionType.ReadWrite);
        try
        {
            session.Login(CKU.CKU_USER, options.Pin);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
            // Another session of this process is logged in: the login state is per token.
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_PIN_INCORRECT)
        {
            throw new KeyFileException("The HSM refused the PIN.", e);
        }

        return work(session);
    }

    /// <summary>Pkcs11Interop asks for <c>libdl</c>; Debian has only <c>libdl.so.2</c>.</summary>
    private static void RegisterResolver()
    {
        if (Interlocked.Exchange(ref resolverRegistered, 1) == 1 || OperatingSystem.IsWindows())
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, (name, _, _) =>
            name == "libdl" && NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero);
    }
}
