using BenchmarkDotNet.Running;
using Custos.Benchmarks;

if (args is ["import-throughput", ..])
{
    var rows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
    return await ImportThroughput.RunAsync(rows, args.Length > 2 ? args[2] : null);
}

if (args is ["insert-ratio", ..])
{
    var rows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
    return await InsertRatio.RunAsync(rows, args.Length > 2 ? args[2] : null);
}

if (args is ["list-at-scale", ..])
{
    var sizes = (args.Length > 1 ? args[1] : "10000,1000000").Split(',').Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    return await Custos.Benchmarks.ListAtScale.RunAsync(sizes, args.Length > 2 ? args[2] : null);
}

if (args is ["preconditions", ..])
{
    return await Custos.Benchmarks.PreconditionsCost.RunAsync(args.Length > 1 ? args[1] : null);
}

if (args is ["caller-load", ..])
{
    return await Custos.Benchmarks.CallerLoad.RunAsync(args.Length > 1 ? args[1] : null);
}

if (args is ["reveal-concurrency", ..])
{
    var customers = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    var seconds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_SECONDS"), out var s) ? s : 10;
    return await RevealConcurrency.RunAsync(customers, args.Length > 2 ? args[2] : null, seconds);
}

if (args is ["audit-log", ..])
{
    var entries = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
    return await AuditLogBench.RunAsync(entries, args.Length > 2 ? args[2] : null);
}

if (args is ["incident-scope", ..])
{
    var entries = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000;
    return await Custos.Benchmarks.IncidentScopeBench.RunAsync(entries, args.Length > 2 ? args[2] : null);
}

if (args is ["data-lifecycle", ..])
{
    var customers = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    return await DataLifecycleBench.RunAsync(customers, args.Length > 2 ? args[2] : null);
}

if (args is ["policy", ..])
{
    return PolicyBench.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(FieldCipherBenchmarks).Assembly).Run(args);
return 0;
