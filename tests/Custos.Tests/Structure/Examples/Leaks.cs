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

namespace Custos.Tests.Structure.Examples
{
    using Microsoft.EntityFrameworkCore;

    /// <summary>Memberships removed behind the change tracker: rights change, their version does not.</summary>
    internal static class BulkRights
    {
        public static Task<int> Leave(Custos.Data.CustosDbContext db, Guid person) =>
            db.DepartmentMemberships.Where(m => m.PersonId == person).ExecuteDeleteAsync();
    }
}

namespace Custos.Features.Copies.Examples
{
    /// <summary>A feature reaching into another's internals (Customers' detail view, not its contract) and using a contract (allowed).</summary>
    internal static class ReachesIn
    {
        public static Type Internal() => typeof(Custos.Features.Customers.CustomerDetail);

        public static Type Allowed() => typeof(Custos.Features.Customers.CustomerAccess);

        /// <summary>A contract's internal member is not part of it.</summary>
        public static Custos.Kernel.Crypto.FieldContext Internal(Custos.Features.Customers.Customer customer) => Custos.Features.Customers.CustomerAccess.Context(customer, "mobile");
    }

    /// <summary>Reaching in through an attribute's typeof (as Razor's [Layout(typeof(X))] does).</summary>
    [Custos.Hosting.Gate(Custos.Hosting.Gate.PolicyEngine)]
    [System.ComponentModel.TypeConverter(typeof(Custos.Features.Customers.CustomerLists))]
    internal sealed class ThroughAttribute;
}
