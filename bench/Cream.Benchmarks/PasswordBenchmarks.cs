using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Cream.Api.Auth.Passwords;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Benchmarks;

/// <summary>
/// Password hashing at the production setting (PBKDF2-HMAC-SHA512, 210,000 iterations): the
/// deliberate cost of a login. One call is single-threaded, so 1 s / mean is logins per
/// second per core.
/// </summary>
[MemoryDiagnoser]
// About 0.1 s a call: one call per iteration (Monitoring), no pilot or overhead runs.
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 12)]
public class PasswordBenchmarks
{
    private const string Password = "correct horse battery staple";

    private string _folder = null!;
    private WebApplication _cream = null!;
    private PasswordService _passwords = null!;
    private string _hash = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = CreamHost.NewFolder();
        _cream = CreamHost.Build(CreamHost.NewSecret(), "Data Source=:memory:", _folder);
        _passwords = _cream.Services.GetRequiredService<PasswordService>();
        _hash = _passwords.Hash(Password);
        CreamHost.Require(Verify() == PasswordCheck.Success, "the password verifies against its hash");
        CreamHost.Require(_passwords.Verify(_hash, Password + "!") == PasswordCheck.Failed, "a wrong password fails");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cream.DisposeAsync().AsTask().GetAwaiter().GetResult();
        CreamHost.DeleteFolder(_folder);
    }

    [Benchmark(Description = "PasswordService.Hash (PBKDF2-SHA512, 210,000 iterations)")]
    public string Hash() => _passwords.Hash(Password);

    [Benchmark(Baseline = true, Description = "PasswordService.Verify, correct password (one login)")]
    public PasswordCheck Verify() => _passwords.Verify(_hash, Password);
}
