import { useEffect, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import QRCode from 'qrcode';
import { ApiError } from '../api';
import { useAuth, type LoginStep } from '../auth';
import { Form, TextField, rules, useForm } from '../components/Form';

/** Sign-in: e-mail and password, then the authenticator code; on first sign-in, enrolment of the authenticator. */
export function LoginPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [step, setStep] = useState<LoginStep | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (auth.user) return <Navigate to={from} replace />;

  return (
    <div className="login-screen">
      <div className="login-card">
        <div className="login-brand">
          <span className="brand-mark" aria-hidden>◆</span>
          <div>
            <div className="login-title">OpenCMP</div>
            <div className="muted">Connectivity management console</div>
          </div>
        </div>
        {!step && <PasswordStep notice={notice} onNext={(s) => { setNotice(null); setStep(s); }} />}
        {step && (
          <CodeStep
            step={step}
            onBack={(why) => { setNotice(why ?? null); setStep(null); }}
            onDone={() => navigate(from, { replace: true })}
          />
        )}
      </div>
    </div>
  );
}

function PasswordStep({ notice, onNext }: { notice: string | null; onNext: (s: LoginStep) => void }) {
  const auth = useAuth();
  const form = useForm({
    initial: { email: '', password: '' },
    validate: (v) => ({ email: rules.required(v.email) ?? rules.email(v.email), password: rules.required(v.password) }),
    onSubmit: async (v) => onNext(await auth.login(v.email.trim(), v.password)),
  });
  return (
    <>
      <h1>Sign in</h1>
      {notice && <div className="alert alert-info" role="status">{notice}</div>}
      <Form form={form} submitLabel="Continue">
        <TextField field={form.field('email')} label="E-mail" type="email" autoComplete="username" autoFocus required />
        <TextField field={form.field('password')} label="Password" type="password" autoComplete="current-password" required />
      </Form>
    </>
  );
}

function CodeStep({ step, onBack, onDone }: { step: LoginStep; onBack: (why?: string) => void; onDone: () => void }) {
  const auth = useAuth();
  const enrol = step.status === 'mfa_enrollment_required' ? step : null;
  const [qr, setQr] = useState<string | null>(null);

  useEffect(() => {
    if (!enrol) return;
    QRCode.toDataURL(enrol.otpauthUrl, { margin: 1, width: 200 }).then(setQr).catch(() => setQr(null));
  }, [enrol?.otpauthUrl]);

  const form = useForm({
    initial: { code: '' },
    validate: (v) => ({ code: rules.required(v.code) ?? rules.pattern(/^\d{6}$/, 'must be the 6 digits your authenticator shows')(v.code.trim()) }),
    onSubmit: async (v) => {
      try {
        await auth.verify(step.challenge, v.code.trim());
      } catch (err) {
        // The challenge expired or was used: the code step cannot succeed any more, so start again.
        if (err instanceof ApiError && err.type.endsWith('/invalid-challenge')) return onBack(err.detail);
        throw err;
      }
      onDone();
    },
  });

  return (
    <>
      <h1>{enrol ? 'Set up two-factor sign-in' : 'Two-factor sign-in'}</h1>
      {enrol ? (
        <div className="enrol">
          <p>Scan this code with an authenticator app (or enter the secret by hand), then type the 6-digit code it shows.</p>
          {qr && <img className="qr" src={qr} alt="QR code of the authenticator secret" width={200} height={200} />}
          <div className="secret">
            <div className="muted">Secret</div>
            <code data-testid="totp-secret">{enrol.secret}</code>
          </div>
          <details>
            <summary>Setup link</summary>
            <code className="otpauth" data-testid="otpauth-url">{enrol.otpauthUrl}</code>
          </details>
        </div>
      ) : (
        <p>Enter the 6-digit code from your authenticator app.</p>
      )}
      <Form form={form} submitLabel="Verify" onCancel={() => onBack()}>
        <TextField field={form.field('code')} label="Authentication code" autoComplete="one-time-code" autoFocus required placeholder="123456" />
      </Form>
    </>
  );
}
