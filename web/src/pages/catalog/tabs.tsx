import { NavLink } from 'react-router';

/** The catalog's own tab bar (the main navigation has one Catalog entry). */
export function CatalogTabs() {
  const tabs = [['/catalog/offers', 'Offers'], ['/catalog/bundles', 'Bundles'], ['/catalog/zones', 'Zones'], ['/catalog/report', 'Report']];
  return (
    <nav aria-label="Catalog" className="tabs" style={{ display: 'flex', gap: 16, marginBottom: 12 }}>
      {tabs.map(([to, label]) => <NavLink key={to} to={to} end={to === '/catalog/offers'}>{label}</NavLink>)}
    </nav>
  );
}
