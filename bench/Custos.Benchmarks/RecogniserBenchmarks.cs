using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Custos.Kernel.Recognisers;

namespace Custos.Benchmarks;

/// <summary>
/// Cost of validating a resident ID number (region, birth date, check character), reported as a ratio to a
/// shape-only regular expression over the same inputs: the floor any validator pays to look at the string.
/// </summary>
[MemoryDiagnoser]
public partial class RecogniserBenchmarks
{
    private static readonly DateOnly Today = new(2026, 11, 29);
    private readonly string[] numbers = ["11010519491231002X", "440524188001010014", "110101199003072316", "310104198507221234"];

    [Benchmark(Baseline = true)]
    public int ShapeOnlyRegex()
    {
        var ok = 0;
        foreach (var n in numbers)
        {
            if (Shape().IsMatch(n))
            {
                ok++;
            }
        }

        return ok;
    }

    [Benchmark]
    public int FullValidation()
    {
        var ok = 0;
        foreach (var n in numbers)
        {
            if (ResidentIdNumber.Validate(n, Today) == ResidentIdCheck.Valid)
            {
                ok++;
            }
        }

        return ok;
    }

    [GeneratedRegex(@"^\d{17}[\dXx]$")]
    private static partial Regex Shape();
}
