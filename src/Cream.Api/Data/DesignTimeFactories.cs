using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Cream.Api.Data;

// Used only by `dotnet ef migrations add`; the connection strings are never opened.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCreamDbContext>
{
    public SqliteCreamDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteCreamDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCreamDbContext>
{
    public PostgresCreamDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresCreamDbContext>().UseNpgsql("Host=localhost").Options);
}
