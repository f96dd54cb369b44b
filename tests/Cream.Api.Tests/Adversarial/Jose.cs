using System.Diagnostics;
using System.Text.Json;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// panva/jose, an independent JOSE implementation, run by Node from the <c>node_modules</c>
/// that <c>scripts/test.sh</c> installs in its temp folder (never in the repo) and names in
/// <c>CREAM_TEST_NODE_MODULES</c>. Without it the interop tests are reported as skipped (saying how to run them) outside the script, and fail inside it.
/// </summary>
internal static class Jose
{
    public const string ModulesVariable = "CREAM_TEST_NODE_MODULES";

    private static string? NodeModules =>
        Environment.GetEnvironmentVariable(ModulesVariable) is { Length: > 0 } value ? value : null;

    /// <summary>
    /// Runs an ES module with <c>jose</c> importable, gives it <paramref name="input"/> as JSON in
    /// <c>process.argv[2]</c> (a file), and returns the JSON it prints.
    /// </summary>
    public static async Task<JsonElement> RunAsync(string module, object input)
    {
        var modules = NodeModules ?? throw new InvalidOperationException(
            $"{ModulesVariable} is not set: run scripts/test.sh, which installs jose (npm) for these tests.");
        Assert.True(File.Exists(Path.Combine(modules, "jose", "package.json")), $"no jose package in {modules}");

        using var folder = new TempDirectory();
        // Node resolves bare imports from the node_modules beside the script.
        Directory.CreateSymbolicLink(Path.Combine(folder.Path, "node_modules"), modules);
        var script = Path.Combine(folder.Path, "interop.mjs");
        var inputPath = Path.Combine(folder.Path, "input.json");
        await File.WriteAllTextAsync(script, module);
        await File.WriteAllTextAsync(inputPath, JsonSerializer.Serialize(input));

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(inputPath);
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = node.StandardOutput.ReadToEndAsync();
        var error = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw new TimeoutException("node did not exit within 60 s.");
        }

        Assert.True(node.ExitCode == 0, $"node exited with {node.ExitCode}: {await error}");
        using var document = JsonDocument.Parse(await output);
        return document.RootElement.Clone();
    }
}
