using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Cream.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/Cream.Benchmarks -- --state-size [entries per kind]
// dotnet run -c Release --project bench/Cream.Benchmarks -- dpop-proofs ... (for bench/load/run.sh)
if (args is ["--state-size", ..])
{
    Cream.Benchmarks.StateSize.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return 0;
}

if (args is ["dpop-proofs", ..])
{
    return await Cream.Benchmarks.DpopLoadProofs.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Cream.Benchmarks.RevocationBenchmarks).Assembly).Run(args);
return 0;
