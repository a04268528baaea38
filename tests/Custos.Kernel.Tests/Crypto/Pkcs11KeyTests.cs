using System.Security.Cryptography;
using Custos.Kernel.Crypto;
using Custos.Tests.Shared;

namespace Custos.Kernel.Tests.Crypto;

/// <summary>SEC-1 with a hardware security module: SoftHSM2 through PKCS#11, the KEK never leaving the token.</summary>
public sealed class Pkcs11KeyTests(SoftHsm hsm) : IClassFixture<SoftHsm>
{
    private Pkcs11KeyEncryptionKeys Open(string label, string pin = SoftHsm.Pin) =>
        Pkcs11KeyEncryptionKeys.Open(new Pkcs11Options(SoftHsm.Library, label, pin));

    [Fact]
    public void A_new_token_gets_a_non_extractable_key_that_wraps_data_keys_bound_to_their_owner()
    {
        using var keys = Open(hsm.NewToken());
        Assert.Equal(1, keys.ActiveVersion);
        Assert.True(keys.IsNonExtractable(1));

        var owner = Guid.NewGuid();
        var (key, wrapped) = DataKeys.Create(keys, "customer", owner, 1);

        Assert.Equal(key, DataKeys.Open(keys, "customer", owner, 1, wrapped));
        Assert.ThrowsAny<CryptographicException>(() => DataKeys.Open(keys, "customer", Guid.NewGuid(), 1, wrapped));
        var tampered = wrapped with { Blob = [.. wrapped.Blob] };
        tampered.Blob[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => DataKeys.Open(keys, "customer", owner, 1, tampered));
    }

    [Fact]
    public void Rotation_and_destruction_work_inside_the_token()
    {
        var label = hsm.NewToken();
        using var keys = Open(label);
        var owner = Guid.NewGuid();
        var (key, wrapped) = DataKeys.Create(keys, "customer", owner, 1);

        Assert.Equal(2, keys.Rotate());
        var rewrapped = DataKeys.Rewrap(keys, "customer", owner, 1, wrapped);
        Assert.Equal(2, rewrapped.KekVersion);
        Assert.Throws<KeyFileException>(() => keys.Destroy(2));
        keys.Destroy(1);

        using var reopened = Open(label);
        Assert.Equal([2], reopened.Versions.Select(v => v.Version));
        Assert.Equal(key, DataKeys.Open(reopened, "customer", owner, 1, rewrapped));
        Assert.ThrowsAny<CryptographicException>(() => DataKeys.Open(reopened, "customer", owner, 1, wrapped));
    }

    [Fact]
    public async Task Concurrent_unwraps_during_rotation_never_fail()
    {
        using var keys = Open(hsm.NewToken());
        var owners = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToList();
        var wrapped = owners.Select(o => DataKeys.Create(keys, "customer", o, 1).Wrapped).ToArray();
        var failures = 0;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(() =>
        {
            var i = r;
            while (!stop.IsCancellationRequested)
            {
                var n = i++ % owners.Count;
                try
                {
                    DataKeys.Open(keys, "customer", owners[n], 1, Volatile.Read(ref wrapped[n]));
                }
                catch (CryptographicException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();

        keys.Rotate();
        for (var n = 0; n < owners.Count; n++)
        {
            Volatile.Write(ref wrapped[n], DataKeys.Rewrap(keys, "customer", owners[n], 1, wrapped[n]));
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(0, failures);
        Assert.All(wrapped, w => Assert.Equal(2, w.KekVersion));
    }

    [Fact]
    public void An_unknown_token_a_wrong_pin_or_a_missing_library_is_explained()
    {
        Assert.Contains("No PKCS#11 token", Assert.Throws<KeyFileException>(() => Open("no-such-token")).Message, StringComparison.Ordinal);
        Assert.Contains("PIN", Assert.Throws<KeyFileException>(() => Open(hsm.NewToken(), "9999")).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<KeyFileException>(() =>
            Pkcs11KeyEncryptionKeys.Open(new Pkcs11Options("/nonexistent/libpkcs11.so", "x", "1"))).Message, StringComparison.Ordinal);
    }
}
