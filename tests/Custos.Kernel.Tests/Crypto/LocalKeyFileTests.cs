using System.Security.Cryptography;
using Custos.Kernel.Crypto;

namespace Custos.Kernel.Tests.Crypto;

/// <summary>The local key file: envelope wrapping, rotation, destruction, passphrase sealing.</summary>
public sealed class LocalKeyFileTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private readonly string dir = Path.Combine(Path.GetTempPath(), "custos-keys-" + Guid.NewGuid().ToString("N")[..8]);

    private string PathOf(string name) => System.IO.Path.Combine(dir, name);

    [Fact]
    public void A_new_key_file_is_private_to_its_owner_and_never_overwritten()
    {
        var path = PathOf("custos.keys");
        LocalKeyFile.Create(path, null, Now);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Throws<KeyFileException>(() => LocalKeyFile.Create(path, null, Now));
    }

    [Fact]
    public void A_data_key_unwraps_only_for_its_owner_and_version_and_survives_reopening()
    {
        var path = PathOf("custos.keys");
        var keys = LocalKeyFile.Create(path, null, Now);
        var customer = Guid.NewGuid();

        var (key, wrapped) = DataKeys.Create(keys, "customer", customer, 1);

        Assert.Equal(key, DataKeys.Open(LocalKeyFile.Open(path, null), "customer", customer, 1, wrapped));
        Assert.ThrowsAny<CryptographicException>(() => DataKeys.Open(keys, "customer", Guid.NewGuid(), 1, wrapped));
        Assert.ThrowsAny<CryptographicException>(() => DataKeys.Open(keys, "customer", customer, 2, wrapped));
        Assert.ThrowsAny<CryptographicException>(() => DataKeys.Open(LocalKeyFile.Create(PathOf("other.keys"), null, Now), "customer", customer, 1, wrapped));
    }

    [Fact]
    public void Rotation_rewraps_data_keys_and_destroying_the_old_version_shreds_what_was_not_rewrapped()
    {
        var path = PathOf("custos.keys");
        var keys = LocalKeyFile.Create(path, null, Now);
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var (keyA, wrappedA) = DataKeys.Create(keys, "customer", a, 1);
        var (_, wrappedB) = DataKeys.Create(keys, "customer", b, 1);

        Assert.Equal(2, keys.Rotate(Now.AddDays(1)));
        var rewrappedA = DataKeys.Rewrap(keys, "customer", a, 1, wrappedA);
        Assert.Equal(2, rewrappedA.KekVersion);
        Assert.Equal(keyA, DataKeys.Open(keys, "customer", a, 1, wrappedA)); // old version still decrypts
        keys.Destroy(1);

        var reopened = LocalKeyFile.Open(path, null);
        Assert.Equal(keyA, DataKeys.Open(reopened, "customer", a, 1, rewrappedA));
        Assert.ThrowsAny<CryptographicException>(() => DataKeys.Open(reopened, "customer", b, 1, wrappedB));
        Assert.Equal([KekState.Destroyed, KekState.Active], reopened.Versions.Select(v => v.State));
        Assert.Throws<KeyFileException>(() => reopened.Destroy(2));
    }

    [Fact]
    public void A_sealed_key_file_needs_the_right_passphrase_and_holds_no_key_in_clear()
    {
        var path = PathOf("sealed.keys");
        var keys = LocalKeyFile.Create(path, "correct horse battery staple", Now);
        var (key, wrapped) = DataKeys.Create(keys, "customer", Guid.Empty, 1);

        Assert.Contains("argon2id", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.DoesNotContain("\"kek\"", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Throws<KeyFileException>(() => LocalKeyFile.Open(path, null));
        Assert.Throws<KeyFileException>(() => LocalKeyFile.Open(path, "wrong passphrase"));
        Assert.Equal(key, DataKeys.Open(LocalKeyFile.Open(path, "correct horse battery staple"), "customer", Guid.Empty, 1, wrapped));
    }

    [Fact]
    public void Missing_and_foreign_files_are_explained()
    {
        Assert.Contains("does not exist", Assert.Throws<KeyFileException>(() => LocalKeyFile.Open(PathOf("none.keys"), null)).Message, StringComparison.Ordinal);
        Directory.CreateDirectory(dir);
        File.WriteAllText(PathOf("foreign.keys"), "{\"format\":\"other/v9\"}");
        Assert.Contains("does not know", Assert.Throws<KeyFileException>(() => LocalKeyFile.Open(PathOf("foreign.keys"), null)).Message, StringComparison.Ordinal);
        File.WriteAllText(PathOf("garbage.keys"), "not json");
        Assert.Throws<KeyFileException>(() => LocalKeyFile.Open(PathOf("garbage.keys"), null));
    }

    [Fact]
    public void The_passphrase_key_is_argon2id_version_19_as_in_rfc_9106()
    {
        // RFC 9106 section 5.3 test vector, through the same library and type the key file uses.
        var rfc = new Org.BouncyCastle.Crypto.Parameters.Argon2Parameters.Builder(Org.BouncyCastle.Crypto.Parameters.Argon2Parameters.Argon2id)
            .WithVersion(Org.BouncyCastle.Crypto.Parameters.Argon2Parameters.Version13)
            .WithIterations(3).WithMemoryAsKB(32).WithParallelism(4)
            .WithSalt([.. Enumerable.Repeat((byte)2, 16)]).WithSecret([.. Enumerable.Repeat((byte)3, 8)]).WithAdditional([.. Enumerable.Repeat((byte)4, 12)])
            .Build();
        var generator = new Org.BouncyCastle.Crypto.Generators.Argon2BytesGenerator();
        generator.Init(rfc);
        var tag = new byte[32];
        generator.GenerateBytes([.. Enumerable.Repeat((byte)1, 32)], tag);
        Assert.Equal("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", Convert.ToHexStringLower(tag));

        // The key file's derivation is that function with its own parameters.
        var p = new LocalKeyFile.SealedKeys { Salt = [.. Enumerable.Repeat((byte)2, 16)], MemoryKiB = 32, Iterations = 3, Parallelism = 4 };
        var direct = new Org.BouncyCastle.Crypto.Generators.Argon2BytesGenerator();
        direct.Init(new Org.BouncyCastle.Crypto.Parameters.Argon2Parameters.Builder(Org.BouncyCastle.Crypto.Parameters.Argon2Parameters.Argon2id)
            .WithVersion(Org.BouncyCastle.Crypto.Parameters.Argon2Parameters.Version13).WithIterations(3).WithMemoryAsKB(32).WithParallelism(4)
            .WithSalt([.. Enumerable.Repeat((byte)2, 16)]).Build());
        var expected = new byte[32];
        direct.GenerateBytes("pw"u8.ToArray(), expected);
        Assert.Equal(expected, LocalKeyFile.DeriveKey("pw", p));
        Assert.NotEqual(expected, LocalKeyFile.DeriveKey("pw", p with { Salt = new byte[16] }));
    }

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }
    }
}
