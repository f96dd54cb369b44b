namespace Cream.Api.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Where the data lives, derived once from <c>ConnectionStrings:Cream</c>.</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public const string ConnectionStringName = "Cream";

    /// <summary>
    /// A <c>Host=</c> connection string selects PostgreSQL; anything else is a SQLite
    /// connection string; none at all is a SQLite file in the data folder.
    /// </summary>
    public static DatabaseSettings From(IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return new(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(dataDirectory, "cream.db")}");
        }

        var isPostgres = connectionString.Split(';')
            .Any(part => part.TrimStart().StartsWith("Host=", StringComparison.OrdinalIgnoreCase)
                      || part.TrimStart().StartsWith("Server=", StringComparison.OrdinalIgnoreCase));
        return new(isPostgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite, connectionString);
    }

    /// <summary>Where the data is, for the start-up log: the SQLite file, or the PostgreSQL host and database (never a password).</summary>
    public string Describe()
    {
        if (Provider == DatabaseProvider.Postgres)
        {
            var postgres = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            return $"PostgreSQL {postgres.Host}:{postgres.Port}/{postgres.Database ?? postgres.Username}";
        }

        var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString).DataSource;
        return dataSource.StartsWith(':') || dataSource.StartsWith("file:", StringComparison.Ordinal)
            ? $"SQLite {dataSource}"
            : $"SQLite file {Path.GetFullPath(dataSource)}";
    }
}
