using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Cream.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Cream.Benchmarks.RevocationBenchmarks).Assembly).Run(args);
