// Synthetic benchmark data from an explicitly seeded generator, so every run decides the same requests.
#pragma warning disable RS0030
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Custos.Features.People;
using Custos.Kernel.Policy;

namespace Custos.Benchmarks;

/// <summary>
/// The policy decision point (ACC-1..6): median and p99 of one decision with 1,000 people and 10,000 live
/// grants, against a baseline measured in the same run — one lookup in a dictionary of cached permissions,
/// what a cached Casbin check comes down to. Then the same decision for one person holding 10, 1,000 and
/// 10,000 grants, to show the cost does not grow with the number of grants.
/// </summary>
internal static class PolicyBench
{
    private const int People = 1_000;
    private const int Grants = 10_000;
    private const int Customers = 100_000;
    private const int Departments = 20;
    private const int Samples = 1_000_000;

    public static int Run()
    {
        var random = new Random(20261130);
        var engine = new PolicyEngine(DefaultPolicy.Document(Roles.All));
        var departments = Enumerable.Range(0, Departments).Select(_ => Guid.NewGuid()).ToArray();
        var projects = Enumerable.Range(0, Departments * 3).Select(_ => Guid.NewGuid()).ToArray();
        var customers = Enumerable.Range(0, Customers).Select(i => new PolicyResource(
            Guid.NewGuid(), departments[random.Next(Departments)], random.Next(3) == 0 ? projects[random.Next(projects.Length)] : null, 1 + random.Next(3), i % 2 == 0 ? "idNumber" : "mobile")).ToArray();
        var byId = customers.ToDictionary(c => c.Customer!.Value);
        var now = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));
        string[] roles = [Roles.Staff, Roles.Staff, Roles.Staff, Roles.InformationOfficer, Roles.DepartmentHead, Roles.ProjectManager, Roles.Partner, Roles.GeneralManager];

        var grantsOf = Enumerable.Range(0, People).Select(_ => new List<Grant>()).ToArray();
        for (var i = 0; i < Grants; i++)
        {
            grantsOf[random.Next(People)].Add(RandomGrant(random, customers, now));
        }

        var subjects = Enumerable.Range(0, People).Select(i => Subject(random, roles[random.Next(roles.Length)], departments, projects, new GrantSet(grantsOf[i]))).ToArray();
        PolicyAction[] actions = [PolicyAction.ViewMasked, PolicyAction.ViewMasked, PolicyAction.Reveal, PolicyAction.List, PolicyAction.Edit, PolicyAction.Export, PolicyAction.Print];
        var context = new PolicyContext(IPAddress.Parse("10.20.30.40"), now);

        // Requests: a random person and action; half on a customer of the person's own department, a quarter on
        // one the person holds a grant for (when they hold any), the rest on any customer.
        var byDepartment = customers.GroupBy(c => c.Department!.Value).ToDictionary(g => g.Key, g => g.ToArray());
        var requests = new (PolicySubject Subject, PolicyAction Action, PolicyResource Resource)[Samples];
        for (var i = 0; i < Samples; i++)
        {
            var p = random.Next(People);
            var draw = random.Next(4);
            var own = byDepartment[subjects[p].Departments.First()];
            var resource = draw < 2 ? own[random.Next(own.Length)]
                : draw == 2 && grantsOf[p].Count > 0 ? byId[grantsOf[p][random.Next(grantsOf[p].Count)].Customer!.Value]
                : customers[random.Next(Customers)];
            requests[i] = (subjects[p], actions[random.Next(actions.Length)], resource);
        }

        // Baseline: a cached permission, keyed by (person, action, department).
        var cache = new Dictionary<(Guid, PolicyAction, Guid), bool>();
        foreach (var (subject, action, resource) in requests)
        {
            cache[(subject.Id, action, resource.Department!.Value)] = true;
        }

        var baseline = Measure(requests, r => cache.TryGetValue((r.Subject.Id, r.Action, r.Resource.Department!.Value), out var allowed) && allowed);
        var decision = Measure(requests, r => engine.Decide(r.Subject, r.Action, r.Resource, context).Allowed);
        var allowedShare = requests.Take(100_000).Count(r => engine.Decide(r.Subject, r.Action, r.Resource, context).Allowed) / 1_000.0;

        Console.WriteLine($"Policy decision, {People:N0} people, {Grants:N0} live grants, {Customers:N0} customers, {Samples:N0} decisions ({allowedShare:F0}% allowed)");
        Console.WriteLine($"  baseline: cached-permission lookup   median {baseline.Median,7:F0} ns   p99 {baseline.P99,7:F0} ns");
        Console.WriteLine($"  decision                            median {decision.Median,7:F0} ns   p99 {decision.P99,7:F0} ns   ratio (median) {decision.Median / baseline.Median:F1}×");

        // One person's grants, from 10 to 10,000: the decision looks them up by customer, never walks them.
        var person = Subject(random, Roles.Staff, departments, projects, GrantSet.Empty);
        (double Median, double P99)? first = null;
        foreach (var count in new[] { 10, 1_000, 10_000 })
        {
            var grants = Enumerable.Range(0, count).Select(_ => RandomGrant(random, customers, now)).ToList();
            var holder = person with { Grants = new GrantSet(grants) };
            var probes = Enumerable.Range(0, Samples / 4).Select(i => (holder, PolicyAction.Reveal, i % 2 == 0 ? byId[grants[i % count].Customer!.Value] : customers[random.Next(Customers)])).ToArray();
            var timing = Measure(probes, r => engine.Decide(r.Item1, r.Item2, r.Item3, context).Allowed);
            first ??= timing;
            Console.WriteLine($"  one person with {count,6:N0} grants        median {timing.Median,7:F0} ns   p99 {timing.P99,7:F0} ns   ratio to 10 grants {timing.Median / first.Value.Median:F2}×");
        }

        return 0;
    }

    private static Grant RandomGrant(Random random, PolicyResource[] customers, DateTimeOffset now)
    {
        var customer = customers[random.Next(customers.Length)];
        var actions = random.Next(3) switch
        {
            0 => ActionSet.Of(PolicyAction.List, PolicyAction.ViewMasked, PolicyAction.Reveal),
            1 => ActionSet.Of(PolicyAction.Reveal),
            _ => ActionSet.Of(PolicyAction.Export),
        };
        return new Grant(Guid.NewGuid(), customer.Customer, null, random.Next(2) == 0 ? customer.Field : null, actions, random.Next(5) == 0, now.AddHours(-1), now.AddHours(1 + random.Next(72)));
    }

    private static PolicySubject Subject(Random random, string role, Guid[] departments, Guid[] projects, GrantSet grants) =>
        new(Guid.NewGuid(), [role], 1 + random.Next(3),
            new HashSet<Guid> { departments[random.Next(departments.Length)] },
            new HashSet<Guid> { projects[random.Next(projects.Length)] },
            true, null, null, grants);

    /// <summary>Times each call on its own (after a warm-up) and gives the median and 99th percentile in nanoseconds, less the timer's own cost.</summary>
    private static (double Median, double P99) Measure<T>(T[] inputs, Func<T, bool> call)
    {
        var sink = 0;
        for (var i = 0; i < Math.Min(inputs.Length, 200_000); i++)
        {
            sink += call(inputs[i]) ? 1 : 0;
        }

        var ticks = new long[inputs.Length];
        var empty = new long[10_000];
        for (var i = 0; i < empty.Length; i++)
        {
            var s = Stopwatch.GetTimestamp();
            empty[i] = Stopwatch.GetTimestamp() - s;
        }

        for (var i = 0; i < inputs.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            sink += call(inputs[i]) ? 1 : 0;
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }

        GC.KeepAlive(sink);
        Array.Sort(ticks);
        Array.Sort(empty);
        var overhead = empty[empty.Length / 2];
        double Ns(long t) => Math.Max(0, t - overhead) * 1e9 / Stopwatch.Frequency;
        return (Ns(ticks[ticks.Length / 2]), Ns(ticks[(int)(ticks.Length * 0.99)]));
    }
}
