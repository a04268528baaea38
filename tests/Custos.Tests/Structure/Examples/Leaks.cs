using Custos.Kernel.Crypto;

// Deliberate breaches of the structure rules, compiled into the test assembly only, so that each rule test shows it can fail.
namespace Custos.Tests.Structure.Examples
{
    internal static class KeyLeak
    {
        public static byte[] Encrypt(byte[] key, FieldContext context)
        {
            using var cipher = new RecordCipher(key);
            _ = cipher;
            return FieldCipher.Encrypt(key, context, "13800138000");
        }
    }
}

namespace Custos.Features.Copies.Examples
{
    /// <summary>A feature reaching into another's internals (Customers' service, not its contract) and using a contract (allowed).</summary>
    internal static class ReachesIn
    {
        public static Type Internal() => typeof(Custos.Features.Customers.CustomerService);

        public static Type Allowed() => typeof(Custos.Features.Customers.CustomerAccess);
    }
}
