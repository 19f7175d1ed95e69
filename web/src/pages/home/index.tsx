import { Link } from 'react-router';
import { ROLE_LABELS, useAuth } from '../../auth';
import { Page, Panel } from '../../components/Page';
import { navSections } from '../registry';
import type { PageDef } from '../types';

function Overview() {
  const auth = useAuth();
  const user = auth.user!;
  const sections = navSections(auth.can).filter((s) => s.section !== 'Overview');
  return (
    <Page title="Overview" subtitle={`Signed in as ${user.name} · ${ROLE_LABELS[user.role]}`}>
      <div className="cards">
        {sections.map((s) => (
          <Panel key={s.section} title={s.section}>
            <ul className="link-list">
              {s.entries.map((e) => <li key={e.path}><Link to={e.path}>{e.label}</Link></li>)}
            </ul>
          </Panel>
        ))}
      </div>
    </Page>
  );
}

export const homePages: PageDef[] = [
  { path: '/', element: <Overview />, nav: { label: 'Overview', section: 'Overview' }, tenantScoped: false },
];
