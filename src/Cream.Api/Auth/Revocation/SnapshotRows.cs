using System.Data.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// The start-up snapshot's rows, millions of them: EF writes each query (its SQL and parameters,
/// for either provider) and the rows are read straight from the data reader, by column name (EF names them after the
/// projection's members).
/// With EF materializing them, 3M rows took 4.9 s to load; the read alone takes about 1 s (ADR 24).
/// </summary>
internal static class SnapshotRows
{
    public static async Task ReadAsync<T>(CreamDbContext db, IQueryable<T> query, Action<DbDataReader, Columns> row, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = query.CreateDbCommand();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var columns = new Columns(reader);
            while (await reader.ReadAsync(cancellationToken))
            {
                row(reader, columns);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Column positions by the projection's member names, looked up once per query.</summary>
    public sealed class Columns(DbDataReader reader)
    {
        private readonly Dictionary<string, int> _ordinals = Enumerable.Range(0, reader.FieldCount)
            .ToDictionary(reader.GetName, i => i, StringComparer.OrdinalIgnoreCase);

        public int this[string column] => _ordinals.TryGetValue(column, out var ordinal)
            ? ordinal
            : throw new InvalidOperationException($"The snapshot query has no column '{column}' (it has {string.Join(", ", _ordinals.Keys)}).");
    }
}
