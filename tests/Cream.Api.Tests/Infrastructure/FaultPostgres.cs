using System.Diagnostics;
using Npgsql;

namespace Cream.Api.Tests.Infrastructure;

/// <summary>
/// The second throwaway PostgreSQL of <c>scripts/test.sh</c>, there only to be stopped,
/// restarted and have its connections killed (the shared one serves every other test).
/// </summary>
public static class FaultPostgres
{
    public const string AdminVariable = "CREAM_TEST_POSTGRES_FAULT";
    public const string PgCtlVariable = "CREAM_TEST_PG_CTL";

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(AdminVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "CREAM_TEST_POSTGRES_FAULT is not set: run scripts/test.sh, which starts a PostgreSQL for the fault tests.");

    private static string PgCtl =>
        Environment.GetEnvironmentVariable(PgCtlVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "CREAM_TEST_PG_CTL is not set: run scripts/test.sh, which gives the fault tests a pg_ctl for their PostgreSQL.");

    /// <summary><c>pg_ctl restart -m fast</c>: connections are terminated (57P01) and the server comes back.</summary>
    public static Task RestartAsync() => RunAsync("restart", "-m", "fast", "-w", "-t", "60");

    /// <summary><c>pg_ctl stop -m fast</c>: connections terminated, new ones refused until <see cref="StartAsync"/>.</summary>
    public static Task StopAsync() => RunAsync("stop", "-m", "fast", "-w", "-t", "60");

    public static Task StartAsync() => RunAsync("start", "-w", "-t", "60");

    /// <summary>Kills every server process of <paramref name="database"/> (each client sees 57P01 on its next use).</summary>
    public static async Task<int> TerminateBackendsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @database AND pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue("database", database);
        var terminated = Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);

        // pg_terminate_backend only signals: wait until the processes are gone.
        await using var left = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @database AND pid <> pg_backend_pid()", connection);
        left.Parameters.AddWithValue("database", database);
        var clock = Stopwatch.StartNew();
        while (Convert.ToInt32(await left.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        return terminated;
    }

    /// <summary>Starts the server if a test left it stopped.</summary>
    public static async Task EnsureRunningAsync()
    {
        if (await RunAsync(check: false, "status") != 0)
        {
            await StartAsync();
        }
    }

    private static async Task RunAsync(params string[] arguments) => await RunAsync(check: true, arguments);

    private static async Task<int> RunAsync(bool check, params string[] arguments)
    {
        var info = new ProcessStartInfo(PgCtl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output} {await error}");
        }

        return process.ExitCode;
    }
}

/// <summary>
/// Tests that stop or restart the fault-test PostgreSQL run one at a time and alone: other
/// tests clear every connection pool of the process when they drop their database, which would
/// take away the connections these tests mean to have killed.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresFaultGroup
{
    public const string Name = "PostgreSQL faults";
}
