import { NavLink, Outlet } from "react-router";
import { UserMenu } from "./UserMenu";

const links = [
  { to: "/", label: "Home", end: true },
  { to: "/designs", label: "Designs" },
  { to: "/datasets", label: "Datasets" },
  { to: "/runs", label: "Runs" },
  { to: "/sweeps", label: "Sweeps" },
];

export function Layout() {
  return (
    <div className="app">
      <header className="topbar">
        <NavLink to="/" className="brand" data-testid="brand">
          <span className="brand-dot" /> ModelBuilder
        </NavLink>
        <nav>
          {links.map((l) => (
            <NavLink key={l.to} to={l.to} end={l.end} data-testid={`nav-${l.label.toLowerCase()}`}>
              {l.label}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-right">
          <a href="/api/docs" target="_blank" rel="noreferrer">
            API
          </a>
          <UserMenu />
        </div>
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
