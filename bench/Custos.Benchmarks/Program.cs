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

if (args is ["audit-log", ..])
{
    var entries = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
    return await AuditLogBench.RunAsync(entries, args.Length > 2 ? args[2] : null);
}

if (args is ["policy", ..])
{
    return PolicyBench.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(FieldCipherBenchmarks).Assembly).Run(args);
return 0;
