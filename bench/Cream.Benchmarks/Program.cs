using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Cream.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/Cream.Benchmarks -- --state-size [entries per kind]
if (args is ["--state-size", ..])
{
    Cream.Benchmarks.StateSize.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Cream.Benchmarks.RevocationBenchmarks).Assembly).Run(args);
