using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Cream.Api.Tests.Infrastructure;

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs the real <c>Cream.Api</c> program as its own process, as an operator would: for the
/// commands (<c>migrate</c>, <c>create-admin</c>) and for start-up refusals.
/// </summary>
public static partial class ServiceProcess
{
    private static readonly string ApiAssembly = typeof(Program).Assembly.Location;

    public static ProcessStartInfo StartInfo(string workingDirectory, IDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ApiAssembly);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Only what the test says: nothing inherited may decide the environment or the key.
        foreach (var name in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "Jwt__Secret", "ConnectionStrings__Cream", "ASPNETCORE_URLS" })
        {
            info.Environment.Remove(name);
        }

        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <summary>Runs to completion (bounded), returning its exit code and output.</summary>
    public static async Task<ProcessResult> RunAsync(string workingDirectory, IDictionary<string, string> environment, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(workingDirectory, environment, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Cream.Api {string.Join(' ', arguments)} did not exit within 60 s.");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    /// <summary>Starts the service in Development with no configuration but its data folder, saying where it listens.</summary>
    public static Process StartInDevelopment(string folder, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DataDirectory"] = folder,
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information", // prints the bound address
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return Process.Start(StartInfo(folder, environment))!;
    }

    /// <summary>
    /// The address a started service listens on, from its "Now listening on" line (which needs
    /// <c>Logging__LogLevel__Microsoft.Hosting.Lifetime=Information</c>); the lines before it go to <paramref name="output"/>.
    /// </summary>
    public static async Task<string> WaitForListeningAddressAsync(Process process, List<string>? output = null)
    {
        ArgumentNullException.ThrowIfNull(process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output?.Add(line);
            if (ListeningAddress().Match(line) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }

        throw new InvalidOperationException("The service exited before listening: " + await process.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningAddress();
}

/// <summary>A temporary folder that is deleted with its contents.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("cream-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
