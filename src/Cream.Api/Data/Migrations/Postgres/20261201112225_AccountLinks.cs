using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cream.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AccountLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "email_verification_expires",
                table: "app_users",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "email_verification_token",
                table: "app_users",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_app_users_email_verification_token",
                table: "app_users",
                column: "email_verification_token");

            migrationBuilder.CreateIndex(
                name: "ix_app_users_password_reset_token",
                table: "app_users",
                column: "password_reset_token");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_app_users_email_verification_token",
                table: "app_users");

            migrationBuilder.DropIndex(
                name: "ix_app_users_password_reset_token",
                table: "app_users");

            migrationBuilder.DropColumn(
                name: "email_verification_expires",
                table: "app_users");

            migrationBuilder.DropColumn(
                name: "email_verification_token",
                table: "app_users");
        }
    }
}
