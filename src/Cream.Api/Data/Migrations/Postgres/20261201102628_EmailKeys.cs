using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cream.Api.Data.Migrations.Postgres
{
    /// <summary>
    /// No change to the schema: once applied, every <c>normalized_email</c> holds the key of
    /// <c>EmailAddress.Key</c> (NFKC, upper-cased). The rows are re-keyed in code just before
    /// this migration is applied (<c>EmailKeyRekey</c>), since SQL has no NFKC of its own.
    /// </summary>
    public partial class EmailKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
