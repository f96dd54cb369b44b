using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Cream.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/Cream.Benchmarks -- dpop-proofs ... (for bench/load/run.sh)
if (args is ["dpop-proofs", ..])
{
    return await Cream.Benchmarks.DpopLoadProofs.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Cream.Benchmarks.RevocationBenchmarks).Assembly).Run(args);
return 0;
